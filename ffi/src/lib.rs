//! C ABI for creditbook: not yet exposed (see issue 5). This crate builds so the workspace is whole.
