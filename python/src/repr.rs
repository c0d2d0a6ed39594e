//! `repr()` of result objects: `Name(field=value, ...)` with each value's own repr.

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Builds reprs.
pub struct Repr;

impl Repr {
    /// `Name(k=v, ...)` over a dict's items, in order.
    pub fn dict(_py: Python<'_>, name: &str, d: &Bound<'_, PyDict>) -> PyResult<String> {
        let mut out = String::with_capacity(64);
        out.push_str(name);
        out.push('(');
        for (i, (k, v)) in d.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&k.str()?.to_cow()?);
            out.push('=');
            out.push_str(&v.repr()?.to_cow()?);
        }
        out.push(')');
        Ok(out)
    }

    /// `Name(k=v, ...)` over some fields of a dict, in the order given.
    pub fn some(name: &str, d: &Bound<'_, PyDict>, keys: &[&str]) -> PyResult<String> {
        let mut out = String::with_capacity(64);
        out.push_str(name);
        out.push('(');
        let mut first = true;
        for k in keys {
            if let Some(v) = d.get_item(k)? {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                out.push_str(k);
                out.push('=');
                out.push_str(&v.repr()?.to_cow()?);
            }
        }
        out.push(')');
        Ok(out)
    }
}
