//! Reading object data on disk that may be spread over several files: a multipart object
//! keeps each part's data where the part was uploaded, so its bytes are the parts' files one
//! after another.

use std::collections::VecDeque;
use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;

/// Files a [`DataReader`] opens as soon as it is made. The rest are opened when reached, so a
/// 10,000-part object costs a reader a handful of descriptors at a time; the first ones being
/// open already, data removed after a reader was made stays readable through them.
const OPENED_AHEAD: usize = 64;

/// `len` bytes of the file at `path` from byte `start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stretch {
    pub(crate) path: PathBuf,
    pub(crate) start: u64,
    pub(crate) len: u64,
}

/// A file to read from: open and positioned, or still to be opened.
#[derive(Debug)]
enum Source {
    Open(fs::File),
    Later { path: PathBuf, start: u64 },
}

#[derive(Debug)]
struct Piece {
    source: Source,
    left: u64,
}

/// Reads [`Stretch`]es one after another as one stream. A file shorter than its stretch is an
/// `UnexpectedEof` error, never a silently short read.
#[derive(Debug)]
pub(crate) struct DataReader {
    pieces: VecDeque<Piece>,
    len: u64,
    /// Stretches added so far (the first [`OPENED_AHEAD`] are opened when added).
    added: usize,
}

fn open_at(path: &PathBuf, start: u64) -> io::Result<fs::File> {
    let mut file = fs::File::open(path)?;
    if start > 0 {
        file.seek(SeekFrom::Start(start))?;
    }
    Ok(file)
}

impl DataReader {
    /// A reader over `stretches`, opening the first [`OPENED_AHEAD`] now (a missing file is a
    /// `NotFound` error here rather than midway). A stretch may be empty: its file is still
    /// opened (found to exist).
    pub(crate) fn open(stretches: Vec<Stretch>) -> io::Result<DataReader> {
        let mut reader = DataReader {
            pieces: VecDeque::with_capacity(stretches.len()),
            len: 0,
            added: 0,
        };
        for stretch in stretches {
            reader.push(stretch)?;
        }
        Ok(reader)
    }

    /// Adds `stretch` after the others (opened now if it is among the first
    /// [`OPENED_AHEAD`]).
    pub(crate) fn push(&mut self, stretch: Stretch) -> io::Result<()> {
        let Stretch { path, start, len } = stretch;
        let source = if self.added < OPENED_AHEAD {
            Source::Open(open_at(&path, start)?)
        } else {
            Source::Later { path, start }
        };
        self.added += 1;
        self.len += len;
        self.pieces.push_back(Piece { source, left: len });
        Ok(())
    }

    /// Appends up to `want` of the next bytes to `buf` (fewer only at the end) and returns
    /// how many. Reads straight into `buf`'s spare capacity through `File`'s own
    /// `read_to_end`, so a fresh buffer is never zeroed first (as `Read::read` into it
    /// would need).
    pub(crate) fn read_into(&mut self, buf: &mut Vec<u8>, want: usize) -> io::Result<usize> {
        let mut got = 0usize;
        while got < want {
            let Some((file, left)) = self.current()? else {
                break;
            };
            let step = (*left).min((want - got) as u64);
            let n = file.take(step).read_to_end(buf)?;
            if (n as u64) < step {
                return Err(ended_early());
            }
            *left -= step;
            got += n;
        }
        Ok(got)
    }

    /// The file to read next, positioned, with how many bytes are left of its stretch (never
    /// 0); `None` at the end. Opens a file not opened yet.
    fn current(&mut self) -> io::Result<Option<(&mut fs::File, &mut u64)>> {
        while self.pieces.front().is_some_and(|p| p.left == 0) {
            self.pieces.pop_front();
        }
        let Some(piece) = self.pieces.front_mut() else {
            return Ok(None);
        };
        if let Source::Later { path, start } = &piece.source {
            piece.source = Source::Open(open_at(path, *start)?);
        }
        match &mut piece.source {
            Source::Open(file) => Ok(Some((file, &mut piece.left))),
            Source::Later { .. } => unreachable!("opened just above"),
        }
    }

    /// How many bytes the reader yields in all.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }
}

impl Read for DataReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let Some((file, left)) = self.current()? else {
            return Ok(0);
        };
        let want = usize::try_from(*left).map_or(buf.len(), |l| l.min(buf.len()));
        let n = file.read(&mut buf[..want])?;
        if n == 0 {
            return Err(ended_early());
        }
        *left -= n as u64;
        Ok(n)
    }
}

/// A file shorter than the stretch read from it.
fn ended_early() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "object data ended early")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stretch(path: &std::path::Path, start: u64, len: u64) -> Stretch {
        Stretch {
            path: path.to_owned(),
            start,
            len,
        }
    }

    #[test]
    fn stretches_read_as_one_stream_across_file_boundaries() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::write(&a, b"0123456789").expect("a");
        fs::write(&b, b"abcdefghij").expect("b");
        let mut reader = DataReader::open(vec![
            stretch(&a, 7, 3),
            stretch(&b, 0, 0),
            stretch(&b, 0, 4),
        ])
        .expect("open");
        assert_eq!(reader.len(), 7);
        // Reads of 2 bytes cross from one file into the next.
        let mut out = Vec::new();
        let mut buf = [0u8; 2];
        loop {
            let n = reader.read(&mut buf).expect("read");
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        assert_eq!(out, b"789abcd");

        // The same through `read_into`, 3 bytes at a time.
        let mut reader =
            DataReader::open(vec![stretch(&a, 7, 3), stretch(&b, 0, 4)]).expect("open");
        let mut chunks = Vec::new();
        loop {
            let mut chunk = Vec::with_capacity(3);
            if reader.read_into(&mut chunk, 3).expect("read") == 0 {
                break;
            }
            chunks.push(chunk);
        }
        assert_eq!(chunks, [&b"789"[..], b"abc", b"d"]);
    }

    #[test]
    fn a_file_shorter_than_its_stretch_is_an_error_not_a_short_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a");
        fs::write(&a, b"01234").expect("a");
        let mut reader = DataReader::open(vec![stretch(&a, 0, 8)]).expect("open");
        let err = reader.read_to_end(&mut Vec::new()).expect_err("short");
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        let mut reader = DataReader::open(vec![stretch(&a, 0, 8)]).expect("open");
        let err = reader.read_into(&mut Vec::new(), 8).expect_err("short");
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn a_missing_file_is_found_when_opened_and_files_past_the_first_ones_open_when_reached() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("missing");
        let err = DataReader::open(vec![stretch(&missing, 0, 1)]).expect_err("missing");
        assert_eq!(err.kind(), io::ErrorKind::NotFound);

        let one = dir.path().join("one");
        fs::write(&one, b"x").expect("one");
        let mut stretches: Vec<Stretch> = (0..OPENED_AHEAD).map(|_| stretch(&one, 0, 1)).collect();
        let late = dir.path().join("late");
        stretches.push(stretch(&late, 1, 2));
        let mut reader = DataReader::open(stretches).expect("open: the late file is not opened");
        // Written after the reader was made: read when reached.
        fs::write(&late, b"-yz").expect("late");
        let mut out = Vec::new();
        reader.read_to_end(&mut out).expect("read");
        assert_eq!(out.len(), OPENED_AHEAD + 2);
        assert!(out.ends_with(b"xyz"));
    }
}
