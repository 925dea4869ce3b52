//! Listing every page of a paginated operation as a `futures::Stream`.

use std::pin::Pin;

use futures_core::Stream;
use oss_proto::paginate::{Paginated, Paginator};

use crate::client::Client;
use crate::error::Error;

/// A stream of pages (outputs) of a listing operation.
pub type PageStream<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

enum State<O: Paginated> {
    Next(Client, Paginator<O>),
    Fail(Error),
    Done,
}

impl Client {
    /// Every page of a listing, starting from `first`: each item is one output. The stream ends
    /// after the last page, or after the first error (a truncated page without a continuation
    /// marker is [`oss_proto::Error::PaginationStalled`]).
    ///
    /// ```no_run
    /// # async fn run(client: oss_client::Client) -> Result<(), oss_client::Error> {
    /// use futures_util::TryStreamExt as _;
    /// let input = oss_model::ListObjectsV2Input::builder().bucket("examplebucket").build().unwrap();
    /// let mut pages = client.paginate::<oss_proto::generated::ListObjectsV2>(input);
    /// while let Some(page) = pages.try_next().await? {
    ///     for object in &page.contents {
    ///         println!("{:?}", object.key);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn paginate<O>(&self, first: O::Input) -> PageStream<O::Output>
    where
        O: Paginated + 'static,
        O::Input: Clone + PartialEq + Send + Sync + 'static,
        O::Output: Send + 'static,
    {
        let state = State::<O>::Next(self.clone(), Paginator::new(first));
        Box::pin(futures_util::stream::unfold(state, |state| async move {
            match state {
                State::Done => None,
                State::Fail(e) => Some((Err(e), State::Done)),
                State::Next(client, mut pages) => {
                    let input = pages.next_input()?.clone();
                    match client.call::<O>(input).await {
                        Err(e) => Some((Err(e), State::Done)),
                        Ok(output) => match pages.on_output(&output) {
                            Ok(()) => Some((Ok(output), State::Next(client, pages))),
                            Err(e) => Some((Ok(output), State::Fail(e.into()))),
                        },
                    }
                }
            }
        }))
    }
}
