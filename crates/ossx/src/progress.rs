//! Progress bars of a batch: one overall bar (bytes, rate, files) and one per large file in
//! flight when there are several files. Drawn only on a terminal; counts are clamped so no bar
//! passes 100%.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Files smaller than this get no bar of their own (a thousand tiny bars would only flicker).
const FILE_BAR_MIN: u64 = 1 << 20;

/// The bars of one batch.
#[derive(Clone)]
pub(crate) struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    files_total: Arc<AtomicU64>,
    files_done: Arc<AtomicU64>,
    visible: bool,
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Bars {
    /// Bars for `files` files of `bytes` bytes in all; hidden unless `visible`.
    pub(crate) fn new(visible: bool, files: u64, bytes: u64) -> Self {
        let multi = MultiProgress::with_draw_target(if visible {
            ProgressDrawTarget::stderr_with_hz(10)
        } else {
            ProgressDrawTarget::hidden()
        });
        let overall = multi.add(ProgressBar::new(bytes));
        overall.set_style(style(
            "{prefix:>12} [{bar:30}] {percent:>3}% {binary_bytes:>10}/{binary_total_bytes:<10} {binary_bytes_per_sec:>12} {msg}",
        ));
        overall.set_prefix("total");
        if visible {
            overall.enable_steady_tick(Duration::from_millis(200));
        }
        let bars = Bars {
            multi,
            overall,
            files_total: Arc::new(AtomicU64::new(files)),
            files_done: Arc::new(AtomicU64::new(0)),
            visible,
        };
        bars.update_message();
        bars
    }

    fn update_message(&self) {
        self.overall.set_message(format!(
            "{}/{} files",
            self.files_done.load(Ordering::Relaxed),
            self.files_total.load(Ordering::Relaxed)
        ));
    }

    /// The tracker of one file of `size` bytes named `name`.
    pub(crate) fn file(&self, name: &str, size: u64) -> FileProgress {
        let several = self.files_total.load(Ordering::Relaxed) > 1;
        let bar = (self.visible && several && size >= FILE_BAR_MIN).then(|| {
            let bar = self.multi.insert_before(&self.overall, ProgressBar::new(size));
            bar.set_style(style(
                "{prefix:>12} [{bar:30}] {percent:>3}% {binary_bytes:>10}/{binary_total_bytes:<10} {binary_bytes_per_sec:>12} {msg}",
            ));
            bar.set_prefix("file");
            bar.set_message(shorten(name, 40));
            bar
        });
        FileProgress {
            bars: self.clone(),
            bar,
            size,
            reported: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A warning on standard error, printed above the bars so that they are not torn.
    pub(crate) fn warn(&self, out: &crate::output::Output, text: &str) {
        if self.visible {
            self.multi.suspend(|| out.warn(text));
        } else {
            out.warn(text);
        }
    }

    /// Ends the overall bar.
    pub(crate) fn finish(&self) {
        self.update_message();
        self.overall.finish();
    }
}

fn shorten(name: &str, max: usize) -> String {
    let count = name.chars().count();
    if count <= max {
        return name.to_string();
    }
    let tail: String = name.chars().skip(count - (max - 1)).collect();
    format!("…{tail}")
}

/// The progress of one file: fed with the transfer's running totals.
#[derive(Clone)]
pub(crate) struct FileProgress {
    bars: Bars,
    bar: Option<ProgressBar>,
    size: u64,
    reported: Arc<AtomicU64>,
}

impl FileProgress {
    /// Records that `transferred` bytes of this file are done (a running total; values that do
    /// not advance, or pass the file's size, move nothing past it).
    pub(crate) fn set(&self, transferred: u64) {
        let now = transferred.min(self.size);
        let before = self.reported.fetch_max(now, Ordering::AcqRel);
        if now > before {
            self.bars.overall.inc(now - before);
            if let Some(bar) = &self.bar {
                bar.set_position(now);
            }
        }
    }

    /// The callback for oss-transfer.
    pub(crate) fn callback(&self) -> oss_transfer::ProgressFn {
        let me = self.clone();
        Arc::new(move |p: oss_transfer::Progress| me.set(p.transferred))
    }

    /// The file is done: whatever was not reported is counted (a resumed or skipped part).
    pub(crate) fn done(&self) {
        self.set(self.size);
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        self.bars.files_done.fetch_add(1, Ordering::Relaxed);
        self.bars.update_message();
    }

    /// The file was skipped or failed: its bytes leave the total.
    pub(crate) fn dropped(&self) {
        let reported = self.reported.load(Ordering::Acquire).min(self.size);
        let overall = &self.bars.overall;
        let len = overall.length().unwrap_or(0);
        overall.set_length(len.saturating_sub(self.size - reported));
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        self.bars.files_total.fetch_sub(1, Ordering::Relaxed);
        self.bars.update_message();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_above_the_total() {
        let bars = Bars::new(false, 2, 300);
        let a = bars.file("a", 100);
        let b = bars.file("b", 200);
        a.set(50);
        a.set(40); // a retry reporting less moves nothing back
        a.set(500); // more than the file is clamped
        assert_eq!(bars.overall.position(), 100);
        b.dropped();
        assert_eq!(bars.overall.length(), Some(100));
        a.done();
        assert_eq!(bars.overall.position(), 100);
        assert!(bars.overall.position() <= bars.overall.length().unwrap());
        assert!(shorten("abcdefghij", 5).starts_with('…'));
    }
}
