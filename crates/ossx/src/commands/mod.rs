//! The commands, one module each.

mod api;
mod bucket;
mod cat;
mod check;
mod cp;
mod du;
mod hash;
mod ls;
mod object;
mod presign;
mod rm;
mod sync;

use crate::cli::Command;
use crate::context::Context;
use crate::error::CliResult;

/// Runs one command.
pub(crate) async fn run(ctx: &Context, command: Command) -> CliResult {
    match command {
        Command::Ls(a) => ls::run(ctx, a).await,
        Command::Stat(a) => object::stat(ctx, a).await,
        Command::Mb(a) => bucket::mb(ctx, a).await,
        Command::Rb(a) => bucket::rb(ctx, a).await,
        Command::Rm(a) => rm::run(ctx, a).await,
        Command::Du(a) => du::run(ctx, a).await,
        Command::Cat(a) => cat::run(ctx, a).await,
        Command::Append(a) => object::append(ctx, a).await,
        Command::Mkdir(a) => object::mkdir(ctx, a).await,
        Command::Presign(a) => presign::run(ctx, a).await,
        Command::Restore(a) => object::restore(ctx, a).await,
        Command::SetProps(a) => object::set_props(ctx, a).await,
        Command::Hash(a) => hash::run(ctx, a).await,
        Command::Api(a) => api::run(ctx, a).await,
        Command::Cp(a) => cp::run(ctx, a).await,
        Command::Sync(a) => sync::run(ctx, a).await,
        Command::Check(a) => check::run(ctx, a).await,
    }
}

/// Parses repeated `key=value` options into pairs.
pub(crate) fn key_values(items: &[String], what: &str) -> CliResult<Vec<(String, String)>> {
    items
        .iter()
        .map(|kv| {
            kv.split_once('=')
                .or_else(|| kv.split_once(':'))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| {
                    crate::error::CliError::usage(format!("{what} {kv:?}: expected key=value"))
                })
        })
        .collect()
}

/// Runs `f` over `items` `jobs` at a time; a failure does not stop the others (each is
/// reported as a warning with its item's name). Returns the tally of what succeeded and failed.
pub(crate) async fn for_each_concurrent<T, F, Fut>(
    ctx: &Context,
    items: Vec<T>,
    jobs: usize,
    name: impl Fn(&T) -> String,
    f: F,
) -> BatchTally
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = CliResult>,
{
    use futures_util::StreamExt as _;
    let results = futures_util::stream::iter(items.into_iter().map(|item| {
        let label = name(&item);
        let fut = f(item);
        async move { (label, fut.await) }
    }))
    .buffer_unordered(jobs.max(1));
    futures_util::pin_mut!(results);
    let mut tally = BatchTally::default();
    while let Some((label, result)) = results.next().await {
        match result {
            Ok(()) => tally.done += 1,
            Err(e) => {
                tally.failed(e.exit_code());
                ctx.out.warn(&format!("{label}: {e}"));
            }
        }
    }
    tally
}

/// What a batch did: how many items succeeded, how many failed, and the exit code of the
/// first failure (the batch's code when nothing succeeded).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BatchTally {
    /// Items done (or skipped as already done).
    pub(crate) done: usize,
    /// Items that failed.
    pub(crate) failed: usize,
    /// The exit code of the first failure.
    pub(crate) first_failure: Option<crate::error::ExitCode>,
}

impl BatchTally {
    /// Counts one failure of exit-code class `class`.
    pub(crate) fn failed(&mut self, class: crate::error::ExitCode) {
        self.failed += 1;
        self.first_failure.get_or_insert(class);
    }

    /// Ok when nothing failed; when everything failed, the failures' own class (1, 2 or 3:
    /// the batch did nothing, like a single command that failed); otherwise the
    /// partial-failure error (exit 4).
    pub(crate) fn result(self) -> CliResult {
        use crate::error::{CliError, ExitCode};
        match (self.failed, self.done) {
            (0, _) => Ok(()),
            (failed, 0) => Err(CliError::AllFailed {
                failed,
                class: self.first_failure.unwrap_or(ExitCode::Partial),
            }),
            (failed, done) => Err(CliError::Partial { failed, done }),
        }
    }
}
