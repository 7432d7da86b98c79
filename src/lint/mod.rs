//! `helm lint`'s checks, and the manifest rules Helm never had.
