//! The lowest layer: settings, the one error type, Vietnamese text, logs and metrics. It
//! imports nothing of portal's above it.

pub mod config;
pub mod error;
pub mod metrics;
pub mod telemetry;
pub mod text;
