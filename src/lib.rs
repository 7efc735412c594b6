//! yanglao
pub mod chart;
