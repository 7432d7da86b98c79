//! Unpacks the Kubernetes schema bundle (`src/lint/k8s/schemas.json.gz`, kept compressed in
//! the repository) into the build folder, so the binary carries the JSON text itself and a
//! lint run does not spend its first milliseconds inflating it.

use std::io::Read;
use std::path::PathBuf;

fn main() {
    let source = "src/lint/k8s/schemas.json.gz";
    println!("cargo::rerun-if-changed={source}");
    let gz = std::fs::read(source).expect("the schema bundle is part of the source tree");
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut json)
        .expect("the schema bundle is valid gzip");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("schemas.json"), json).expect("the build folder is writable");
}
