//! `hops serve [OPTIONS]`: the arguments of the redirect playground (kept out of `cli.rs`).

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port of the plain http listener (0: any free port, printed at start)
    #[arg(long, value_name = "PORT", default_value_t = 8080)]
    pub port: u16,

    /// Port of the https listener (0: any free port, printed at start)
    #[arg(long, value_name = "PORT", default_value_t = 8443)]
    pub https_port: u16,

    /// Address to listen on; loopback unless you say otherwise
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: IpAddr,

    /// Another name the https certificate covers, besides localhost, 127.0.0.1, ::1, the
    /// scenario hosts and --bind's address (repeat for more)
    #[arg(long = "name", value_name = "HOST")]
    pub names: Vec<String>,

    /// Write the test CA certificate here (default: a file in the temporary directory)
    #[arg(long, value_name = "FILE")]
    pub ca_out: Option<PathBuf>,

    /// Keep the test CA in DIR (ca.pem, ca-key.pem): made the first time, the same on every
    /// start after, so a browser or a device that trusts DIR/ca.pem once keeps trusting it
    #[arg(long, value_name = "DIR")]
    pub ca_dir: Option<PathBuf>,

    /// Do not log each request on stdout
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Also log each request to FILE as one JSON object per line (appended to)
    #[arg(long, value_name = "FILE")]
    pub log_json: Option<PathBuf>,

    /// List the scenarios (name, title, start URL) and exit
    #[arg(long)]
    pub list: bool,
}
