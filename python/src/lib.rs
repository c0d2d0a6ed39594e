//! Python bindings for creditbook: not yet exposed (see issue 6). This crate builds so the workspace is whole.
