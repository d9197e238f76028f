//! KEDA's `externalscaler` gRPC interface (messages, server trait, client) and, with the
//! `testkit` feature, the real processes the scaler's tests and benchmark run against.

tonic::include_proto!("externalscaler");

#[cfg(feature = "testkit")]
pub mod testkit;
