//! Gives the shared library its SONAME on ELF targets (Linux, the BSDs), so programs linked
//! against `libcreditbook.so` ask for the ABI version they were built with and `make install`
//! can ship `libcreditbook.so.<version>` with its symlinks (docs/install.md).
//!
//! The SONAME is `libcreditbook.so.<major>` from 1.0 on and `libcreditbook.so.0.<minor>` before
//! (a 0.x minor release may change the ABI, as 0.2.0 does; a patch release never does), the rule
//! cargo-c follows. `make install` reads the same rule from the Makefile (SONAME_VERSION).

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let elf = !matches!(
        os.as_str(),
        "macos" | "ios" | "tvos" | "watchos" | "visionos" | "windows"
    );
    if elf {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("set by cargo");
        let minor = std::env::var("CARGO_PKG_VERSION_MINOR").expect("set by cargo");
        let abi = if major == "0" {
            format!("0.{minor}")
        } else {
            major
        };
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcreditbook.so.{abi}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
