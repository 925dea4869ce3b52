//! What every command gets: the printer, the client (built on first use), the filter order.

use std::sync::OnceLock;

use oss_client::Client;

use crate::cli::{FilterArgs, GlobalArgs};
use crate::error::CliResult;
use crate::filter::Filter;
use crate::output::Output;

/// The state of one run.
#[derive(Debug)]
pub(crate) struct Context {
    pub(crate) global: GlobalArgs,
    pub(crate) out: Output,
    filter_order: Option<Vec<(bool, String)>>,
    client: OnceLock<Client>,
}

impl Context {
    /// A context for these options.
    pub(crate) fn new(global: GlobalArgs, filter_order: Option<Vec<(bool, String)>>) -> Self {
        let out = Output::new(global.output_format.unwrap_or_default(), global.quiet);
        Context {
            global,
            out,
            filter_order,
            client: OnceLock::new(),
        }
    }

    /// The client, configured from the options, the environment and the profile.
    pub(crate) fn client(&self) -> CliResult<Client> {
        if let Some(c) = self.client.get() {
            return Ok(c.clone());
        }
        let env = |k: &str| std::env::var(k).ok();
        let config = crate::settings::client_config(&self.global, &env)?;
        Ok(self.client.get_or_init(|| Client::new(config)).clone())
    }

    /// The command's filter, patterns in command-line order.
    pub(crate) fn filter(&self, args: &FilterArgs) -> CliResult<Filter> {
        Filter::new(args, self.filter_order.clone())
    }
}
