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

/// Runs `f` over `items` with at most `jobs` at once; returns how many failed (each failure is
/// reported as a warning with its item's name) and how many succeeded.
pub(crate) async fn for_each_concurrent<T, F, Fut>(
    ctx: &Context,
    items: Vec<T>,
    jobs: usize,
    name: impl Fn(&T) -> String,
    f: F,
) -> (usize, usize)
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
    let (mut failed, mut done) = (0, 0);
    while let Some((label, result)) = results.next().await {
        match result {
            Ok(()) => done += 1,
            Err(e) => {
                failed += 1;
                ctx.out.warn(&format!("{label}: {e}"));
            }
        }
    }
    (failed, done)
}

/// Ok when nothing failed; the partial-failure error (exit 4) otherwise.
pub(crate) fn batch_result(failed: usize, done: usize) -> CliResult {
    if failed == 0 {
        Ok(())
    } else {
        Err(crate::error::CliError::Partial { failed, done })
    }
}
