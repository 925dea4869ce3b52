//! Sans-IO pagination: given the input of one listing request and the output it produced,
//! decide the next input or the end.
//!
//! Each listing operation implements [`Paginated`] (generated from the spec's `paginate` table:
//! `impl crate::paginate::Paginated for ListObjectsV2 { .. }`), and [`Paginator`] drives any of
//! them: the caller asks [`Paginator::next_input`], sends the request, and hands the output
//! back with [`Paginator::on_output`], until `next_input` returns `None`.
//!
//! # Stopping rules
//! - The output is not truncated: the listing is complete.
//! - The output is truncated but names no marker/token to continue from: the listing cannot
//!   go on, and [`Error::PaginationStalled`] is returned (not a silent end, which would hide
//!   missing items).
//! - The next input would repeat the current one (a service returning the same marker):
//!   [`Error::PaginationStalled`] too, instead of looping forever.
//! - An optional page limit ([`Paginator::with_max_pages`]) ends the listing early.

use crate::Error;
use crate::operation::Operation;

/// A listing operation whose output says how to ask for the next page.
///
/// Implementations set the input's marker members from the output's `Next*` members. The
/// contract:
/// - return `Ok(None)` when the output is not truncated (`IsTruncated` absent or `false`);
/// - return `Err(Error::PaginationStalled { operation })` when it is truncated but every
///   `Next*` member is absent;
/// - otherwise return a copy of `input` with the marker members replaced.
pub trait Paginated: Operation {
    /// The names of the output lists a paginator yields, in spec order.
    const ITEMS: &'static [&'static str];

    /// The input for the page after `output`, or `None` when `output` is the last page.
    fn next_input(input: &Self::Input, output: &Self::Output)
    -> Result<Option<Self::Input>, Error>;
}

/// Drives a [`Paginated`] operation page by page, without doing any I/O.
///
/// ```
/// # use bytes::Bytes;
/// # use oss_proto::Error;
/// # use oss_proto::operation::*;
/// use oss_proto::paginate::{Paginated, Paginator};
///
/// // A listing whose input carries a marker and whose output names the next one.
/// struct ListThings;
/// # impl Operation for ListThings {
/// #     type Input = Option<String>;
/// #     type Output = (bool, Option<String>);
/// #     const METADATA: OperationMetadata = OperationMetadata {
/// #         name: "ListThings", method: http::Method::GET, scope: Scope::Bucket,
/// #         response_body: ResponseBodyKind::Buffered, requires_content_md5: false,
/// #     };
/// #     fn build_request(_: &Self::Input) -> Result<RequestParts, Error> { unreachable!() }
/// #     fn parse_output(_: &http::response::Parts, _: Bytes) -> Result<Self::Output, Error> {
/// #         unreachable!()
/// #     }
/// # }
/// impl Paginated for ListThings {
///     const ITEMS: &'static [&'static str] = &["things"];
///     fn next_input(_: &Option<String>, out: &(bool, Option<String>)) -> Result<Option<Option<String>>, Error> {
///         match out {
///             (false, _) => Ok(None),
///             (true, Some(next)) => Ok(Some(Some(next.clone()))),
///             (true, None) => Err(Error::PaginationStalled { operation: "ListThings" }),
///         }
///     }
/// }
///
/// let mut pages = Paginator::<ListThings>::new(None);
/// let mut markers = Vec::new();
/// let responses = [(true, Some("b".to_owned())), (true, Some("d".to_owned())), (false, None)];
/// for response in responses {
///     let input = pages.next_input().expect("more pages").clone();
///     markers.push(input);
///     pages.on_output(&response).unwrap();
/// }
/// assert!(pages.next_input().is_none());
/// assert_eq!(markers, [None, Some("b".into()), Some("d".into())]);
/// assert_eq!(pages.pages(), 3);
/// ```
#[derive(Debug, Clone)]
pub struct Paginator<O: Paginated> {
    state: State<O::Input>,
    pages: u64,
    max_pages: Option<u64>,
}

#[derive(Debug, Clone)]
enum State<I> {
    /// The input of the next request.
    Ready(I),
    /// The listing is over (complete, limited, or failed).
    Done,
}

impl<O> Paginator<O>
where
    O: Paginated,
    O::Input: PartialEq,
{
    /// A paginator whose first request is `first`.
    pub fn new(first: O::Input) -> Self {
        Paginator {
            state: State::Ready(first),
            pages: 0,
            max_pages: None,
        }
    }

    /// Stops after `max_pages` pages (at least one).
    pub fn with_max_pages(mut self, max_pages: u64) -> Self {
        self.max_pages = Some(max_pages.max(1));
        self
    }

    /// The input of the next request, or `None` when the listing is over.
    pub fn next_input(&self) -> Option<&O::Input> {
        match &self.state {
            State::Ready(input) => Some(input),
            State::Done => None,
        }
    }

    /// Records the output of the request made with [`next_input`](Self::next_input) and moves
    /// to the next page. After an error the paginator is over.
    pub fn on_output(&mut self, output: &O::Output) -> Result<(), Error> {
        let State::Ready(current) = std::mem::replace(&mut self.state, State::Done) else {
            return Ok(());
        };
        self.pages += 1;
        let next = O::next_input(&current, output)?;
        match next {
            None => {}
            Some(_) if self.max_pages.is_some_and(|max| self.pages >= max) => {}
            Some(next) if next == current => {
                return Err(Error::PaginationStalled {
                    operation: O::METADATA.name,
                });
            }
            Some(next) => self.state = State::Ready(next),
        }
        Ok(())
    }

    /// True when there is no next request.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// How many outputs were recorded.
    pub fn pages(&self) -> u64 {
        self.pages
    }
}

#[cfg(test)]
mod tests {
    //! Fake listings with the token shapes of the real ones: a single marker (ListObjects,
    //! ListBuckets), a continuation token (ListObjectsV2), two markers (ListObjectVersions,
    //! ListMultipartUploads) and a numeric marker (ListParts). Each walks a scripted sequence
    //! of responses.

    use super::*;
    use crate::operation::{OperationMetadata, RequestParts, ResponseBodyKind, Scope};
    use bytes::Bytes;

    macro_rules! fake_operation {
        ($name:ident, $input:ty, $output:ty) => {
            struct $name;
            impl Operation for $name {
                type Input = $input;
                type Output = $output;
                const METADATA: OperationMetadata = OperationMetadata {
                    name: stringify!($name),
                    method: http::Method::GET,
                    scope: Scope::Bucket,
                    response_body: ResponseBodyKind::Buffered,
                    requires_content_md5: false,
                };
                fn build_request(_: &Self::Input) -> Result<RequestParts, Error> {
                    Err(Error::invalid_argument("fake", "not sent"))
                }
                fn parse_output(
                    _: &http::response::Parts,
                    _: Bytes,
                ) -> Result<Self::Output, Error> {
                    Err(Error::invalid_response(stringify!($name), "not received"))
                }
            }
        };
    }

    // ListObjects (v1): marker → NextMarker.
    #[derive(Debug, Clone, PartialEq, Default)]
    struct MarkerInput {
        prefix: Option<String>,
        marker: Option<String>,
    }
    #[derive(Debug, Default)]
    struct MarkerOutput {
        is_truncated: Option<bool>,
        next_marker: Option<String>,
    }
    fake_operation!(ListObjects, MarkerInput, MarkerOutput);
    impl Paginated for ListObjects {
        const ITEMS: &'static [&'static str] = &["contents", "common_prefixes"];
        fn next_input(
            input: &MarkerInput,
            output: &MarkerOutput,
        ) -> Result<Option<MarkerInput>, Error> {
            if output.is_truncated != Some(true) {
                return Ok(None);
            }
            let Some(marker) = &output.next_marker else {
                return Err(Error::PaginationStalled {
                    operation: "ListObjects",
                });
            };
            Ok(Some(MarkerInput {
                marker: Some(marker.clone()),
                ..input.clone()
            }))
        }
    }

    // ListObjectsV2: continuation-token → NextContinuationToken.
    #[derive(Debug, Clone, PartialEq, Default)]
    struct TokenInput {
        continuation_token: Option<String>,
    }
    #[derive(Debug, Default)]
    struct TokenOutput {
        is_truncated: Option<bool>,
        next_continuation_token: Option<String>,
    }
    fake_operation!(ListObjectsV2, TokenInput, TokenOutput);
    impl Paginated for ListObjectsV2 {
        const ITEMS: &'static [&'static str] = &["contents", "common_prefixes"];
        fn next_input(_: &TokenInput, output: &TokenOutput) -> Result<Option<TokenInput>, Error> {
            if output.is_truncated != Some(true) {
                return Ok(None);
            }
            match &output.next_continuation_token {
                Some(t) => Ok(Some(TokenInput {
                    continuation_token: Some(t.clone()),
                })),
                None => Err(Error::PaginationStalled {
                    operation: "ListObjectsV2",
                }),
            }
        }
    }

    // ListObjectVersions: key-marker + version-id-marker (ListMultipartUploads has the same
    // shape with upload-id-marker).
    #[derive(Debug, Clone, PartialEq, Default)]
    struct TwoMarkerInput {
        key_marker: Option<String>,
        version_id_marker: Option<String>,
    }
    #[derive(Debug, Default)]
    struct TwoMarkerOutput {
        is_truncated: Option<bool>,
        next_key_marker: Option<String>,
        next_version_id_marker: Option<String>,
    }
    fake_operation!(ListObjectVersions, TwoMarkerInput, TwoMarkerOutput);
    impl Paginated for ListObjectVersions {
        const ITEMS: &'static [&'static str] = &["version", "delete_marker", "common_prefixes"];
        fn next_input(
            input: &TwoMarkerInput,
            output: &TwoMarkerOutput,
        ) -> Result<Option<TwoMarkerInput>, Error> {
            if output.is_truncated != Some(true) {
                return Ok(None);
            }
            if output.next_key_marker.is_none() && output.next_version_id_marker.is_none() {
                return Err(Error::PaginationStalled {
                    operation: "ListObjectVersions",
                });
            }
            let mut next = input.clone();
            next.key_marker = output.next_key_marker.clone();
            next.version_id_marker = output.next_version_id_marker.clone();
            Ok(Some(next))
        }
    }

    // ListParts: part-number-marker → NextPartNumberMarker (an integer).
    #[derive(Debug, Clone, PartialEq, Default)]
    struct PartsInput {
        upload_id: String,
        part_number_marker: Option<i64>,
    }
    #[derive(Debug, Default)]
    struct PartsOutput {
        is_truncated: Option<bool>,
        next_part_number_marker: Option<i64>,
    }
    fake_operation!(ListParts, PartsInput, PartsOutput);
    impl Paginated for ListParts {
        const ITEMS: &'static [&'static str] = &["parts"];
        fn next_input(
            input: &PartsInput,
            output: &PartsOutput,
        ) -> Result<Option<PartsInput>, Error> {
            if output.is_truncated != Some(true) {
                return Ok(None);
            }
            let Some(n) = output.next_part_number_marker else {
                return Err(Error::PaginationStalled {
                    operation: "ListParts",
                });
            };
            Ok(Some(PartsInput {
                part_number_marker: Some(n),
                ..input.clone()
            }))
        }
    }

    /// Runs a paginator over scripted outputs; returns the inputs it asked for and the final
    /// result.
    fn walk<O>(first: O::Input, script: Vec<O::Output>) -> (Vec<O::Input>, Result<(), Error>)
    where
        O: Paginated,
        O::Input: PartialEq + Clone,
    {
        let mut paginator = Paginator::<O>::new(first);
        let mut inputs = Vec::new();
        for output in script {
            let Some(input) = paginator.next_input() else {
                panic!("paginator ended before the script");
            };
            inputs.push(input.clone());
            if let Err(e) = paginator.on_output(&output) {
                assert!(paginator.is_done());
                return (inputs, Err(e));
            }
        }
        assert!(paginator.is_done(), "paginator wants more than the script");
        assert_eq!(paginator.pages(), inputs.len() as u64);
        (inputs, Ok(()))
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn list_objects_walks_markers() {
        let first = MarkerInput {
            prefix: s("photos/"),
            marker: None,
        };
        let script = vec![
            MarkerOutput {
                is_truncated: Some(true),
                next_marker: s("photos/b.jpg"),
            },
            MarkerOutput {
                is_truncated: Some(true),
                next_marker: s("photos/d.jpg"),
            },
            MarkerOutput {
                is_truncated: Some(false),
                next_marker: None,
            },
        ];
        let (inputs, result) = walk::<ListObjects>(first, script);
        assert_eq!(result, Ok(()));
        let markers: Vec<_> = inputs.iter().map(|i| i.marker.clone()).collect();
        assert_eq!(markers, [None, s("photos/b.jpg"), s("photos/d.jpg")]);
        assert!(
            inputs.iter().all(|i| i.prefix == s("photos/")),
            "other members kept"
        );
    }

    #[test]
    fn absent_is_truncated_ends_the_listing() {
        let (inputs, result) = walk::<ListObjects>(
            MarkerInput::default(),
            vec![MarkerOutput {
                is_truncated: None,
                next_marker: s("ignored"),
            }],
        );
        assert_eq!((inputs.len(), result), (1, Ok(())));
    }

    #[test]
    fn list_objects_v2_walks_tokens_and_stalls_without_one() {
        let script = vec![
            TokenOutput {
                is_truncated: Some(true),
                next_continuation_token: s("ChR0ZXN0L2ZpbGUrbmFtZT0xLnR4dBAA"),
            },
            TokenOutput {
                is_truncated: Some(true),
                next_continuation_token: None,
            },
        ];
        let (inputs, result) = walk::<ListObjectsV2>(TokenInput::default(), script);
        assert_eq!(inputs.len(), 2);
        assert_eq!(
            inputs[1].continuation_token,
            s("ChR0ZXN0L2ZpbGUrbmFtZT0xLnR4dBAA")
        );
        assert_eq!(
            result,
            Err(Error::PaginationStalled {
                operation: "ListObjectsV2"
            })
        );
    }

    #[test]
    fn list_object_versions_walks_two_markers() {
        let script = vec![
            TwoMarkerOutput {
                is_truncated: Some(true),
                next_key_marker: s("example"),
                next_version_id_marker: s(
                    "CAEQMxiBgICbof2D0BYiIGRhZjgwMzJiMjA3MjQ0ODE5MWYxZDYwMzJlZjU1****",
                ),
            },
            // The next key starts a new version chain: only the key marker moves.
            TwoMarkerOutput {
                is_truncated: Some(true),
                next_key_marker: s("example2"),
                next_version_id_marker: None,
            },
            TwoMarkerOutput {
                is_truncated: Some(false),
                ..Default::default()
            },
        ];
        let (inputs, result) = walk::<ListObjectVersions>(TwoMarkerInput::default(), script);
        assert_eq!(result, Ok(()));
        assert_eq!(
            inputs[1],
            TwoMarkerInput {
                key_marker: s("example"),
                version_id_marker: s(
                    "CAEQMxiBgICbof2D0BYiIGRhZjgwMzJiMjA3MjQ0ODE5MWYxZDYwMzJlZjU1****"
                ),
            }
        );
        assert_eq!(
            inputs[2],
            TwoMarkerInput {
                key_marker: s("example2"),
                version_id_marker: None,
            }
        );
    }

    #[test]
    fn list_object_versions_stalls_without_markers() {
        let script = vec![TwoMarkerOutput {
            is_truncated: Some(true),
            ..Default::default()
        }];
        let (_, result) = walk::<ListObjectVersions>(TwoMarkerInput::default(), script);
        assert!(matches!(result, Err(Error::PaginationStalled { .. })));
    }

    #[test]
    fn list_parts_walks_numeric_markers() {
        let first = PartsInput {
            upload_id: "0004B9895DBBB6EC98E36".into(),
            part_number_marker: None,
        };
        let script = vec![
            PartsOutput {
                is_truncated: Some(true),
                next_part_number_marker: Some(1000),
            },
            PartsOutput {
                is_truncated: Some(true),
                next_part_number_marker: Some(2000),
            },
            PartsOutput {
                is_truncated: Some(false),
                next_part_number_marker: None,
            },
        ];
        let (inputs, result) = walk::<ListParts>(first, script);
        assert_eq!(result, Ok(()));
        let markers: Vec<_> = inputs.iter().map(|i| i.part_number_marker).collect();
        assert_eq!(markers, [None, Some(1000), Some(2000)]);
        assert!(
            inputs
                .iter()
                .all(|i| i.upload_id == "0004B9895DBBB6EC98E36")
        );

        let (_, result) = walk::<ListParts>(
            PartsInput::default(),
            vec![PartsOutput {
                is_truncated: Some(true),
                next_part_number_marker: None,
            }],
        );
        assert_eq!(
            result,
            Err(Error::PaginationStalled {
                operation: "ListParts"
            })
        );
    }

    #[test]
    fn repeated_marker_is_stalled_not_an_endless_loop() {
        let script = vec![
            MarkerOutput {
                is_truncated: Some(true),
                next_marker: s("k"),
            },
            MarkerOutput {
                is_truncated: Some(true),
                next_marker: s("k"),
            },
        ];
        let (inputs, result) = walk::<ListObjects>(MarkerInput::default(), script);
        assert_eq!(inputs.len(), 2);
        assert_eq!(
            result,
            Err(Error::PaginationStalled {
                operation: "ListObjects"
            })
        );
    }

    #[test]
    fn page_limit() {
        let mut p = Paginator::<ListParts>::new(PartsInput::default()).with_max_pages(2);
        for n in 1..=2 {
            assert!(p.next_input().is_some());
            p.on_output(&PartsOutput {
                is_truncated: Some(true),
                next_part_number_marker: Some(n * 1000),
            })
            .expect("page");
        }
        assert!(p.is_done());
        assert_eq!(p.pages(), 2);
        // Outputs after the end are ignored.
        p.on_output(&PartsOutput::default()).expect("ignored");
        assert_eq!(p.pages(), 2);
    }
}
