//! The host TCP stack (RFC 9293): the control plane the engine leaves to
//! software. A non-blocking core driven by the caller's clock; the
//! engine glue is [`engine_link`].

pub mod cc;
pub mod config;
pub mod conn;
mod conn_input;
pub mod conn_output;
mod early_loss;
pub mod engine_link;
pub mod frames;
pub mod reassembly;
pub mod rtt;
pub mod segment;
pub mod stack;
pub mod syn_cookie;

pub use config::{CcKind, Config};
pub use conn::{Conn, ConnError, State};
pub use conn_output::Outgoing;
pub use rtt::Micros;
pub use stack::{ConnId, Event, ListenerId, SocketError, Stack};
