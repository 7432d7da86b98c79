//! Sprig's crypto functions: private keys (`genPrivateKey`), X.509 certificates (`genCA`,
//! `genSelfSignedCert`, `genSignedCert`, their `WithKey` forms and `buildCustomCert`),
//! `derivePassword`, `bcrypt`, `htpasswd`, `encryptAES` and `decryptAES`.
//!
//! Certificates are written as Go's `x509.CreateCertificate` writes Sprig's templates: the same
//! extensions in the same order with the same criticality, the same string and time types, and
//! the subject key identifier Go derives (SHA-1 under Go 1.23, truncated SHA-256 from Go 1.25,
//! so Helm 3 and Helm 4 differ). The DER is built here by hand because the layout must be
//! Go's, not a certificate builder's; keys and signatures come from the RustCrypto crates.
//! Keys are printed in the PEM framing Sprig uses: PKCS#1 for RSA, SEC 1 for ECDSA, Sprig's own
//! `DSA PRIVATE KEY` sequence, PKCS#8 for Ed25519.

use std::any::Any;
use std::net::IpAddr;
use std::rc::Rc;

use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::Mac;
use rand::rngs::OsRng;
use rand::RngCore;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs8::DecodePrivateKey;
use sha2::Digest;

use crate::func;
use crate::funcs::encoding::{base64_decode, base64_encode, bytes_to_string};
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::value::{Map, Object, Value};
use crate::Compat;

pub fn register(map: &mut FuncMap) {
    map.insert(func!("genPrivateKey", [String], gen_private_key));
    map.insert(func!("genCA", [String, Int], gen_ca));
    map.insert(func!(
        "genCAWithKey",
        [String, Int, String],
        gen_ca_with_key
    ));
    map.insert(func!(
        "genSelfSignedCert",
        [String, List, List, Int],
        gen_self_signed_cert
    ));
    map.insert(func!(
        "genSelfSignedCertWithKey",
        [String, List, List, Int, String],
        gen_self_signed_cert_with_key
    ));
    map.insert(func!(
        "genSignedCert",
        [String, List, List, Int, Certificate],
        gen_signed_cert
    ));
    map.insert(func!(
        "genSignedCertWithKey",
        [String, List, List, Int, Certificate, String],
        gen_signed_cert_with_key
    ));
    map.insert(func!(
        "buildCustomCert",
        [String, String],
        build_custom_cert
    ));
    map.insert(func!(
        "derivePassword",
        [Uint32, String, String, String, String],
        derive_password
    ));
    map.insert(func!("bcrypt", [String], bcrypt_fn));
    map.insert(func!("htpasswd", [String, String], htpasswd));
    map.insert(func!("encryptAES", [String, String], encrypt_aes));
    map.insert(func!("decryptAES", [String, String], decrypt_aes));
}

fn s(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

fn int(args: &[Value], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Int(n) | Value::Int64(n)) => *n,
        _ => 0,
    }
}

// ---------------------------------------------------------------------------------------------
// DER writing

mod der_out {
    /// A tag-length-value with DER's minimal length.
    pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
        out.extend_from_slice(content);
        out
    }

    pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
        tlv(0x30, &parts.concat())
    }

    /// A non-negative INTEGER from big-endian magnitude bytes.
    pub fn uint(be: &[u8]) -> Vec<u8> {
        let skip = be.iter().take_while(|&&b| b == 0).count();
        let mut body = be[skip..].to_vec();
        if body.first().is_none_or(|&b| b & 0x80 != 0) {
            body.insert(0, 0);
        }
        tlv(0x02, &body)
    }

    pub fn bit_string(bytes: &[u8]) -> Vec<u8> {
        let mut body = vec![0u8];
        body.extend_from_slice(bytes);
        tlv(0x03, &body)
    }

    pub fn octets(bytes: &[u8]) -> Vec<u8> {
        tlv(0x04, bytes)
    }
}

use der_out::{bit_string, octets, seq, tlv, uint};

const OID_RSA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
];
const OID_SHA256_RSA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b,
];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_ECDSA_SHA256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const OID_P384: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_ECDSA_SHA384: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
const OID_ED25519: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
const OID_CN: &[u8] = &[0x06, 0x03, 0x55, 0x04, 0x03];
const OID_KEY_USAGE: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x0f];
const OID_EXT_KEY_USAGE: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x25];
const OID_BASIC_CONSTRAINTS: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x13];
const OID_SKI: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x0e];
const OID_AKI: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x23];
const OID_SAN: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x11];
const OID_SERVER_AUTH: &[u8] = &[0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
const OID_CLIENT_AUTH: &[u8] = &[0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];
const NULL: &[u8] = &[0x05, 0x00];

// ---------------------------------------------------------------------------------------------
// PEM

/// Go's `pem.EncodeToMemory`: 64-column base64 between BEGIN and END lines.
pub fn pem_encode(kind: &str, der: &[u8]) -> String {
    let b64 = base64_encode(der);
    let mut out = format!("-----BEGIN {kind}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

/// The first PEM block of `text` (type and bytes), as Go's `pem.Decode` finds it: a BEGIN line,
/// optional `Key: value` headers, base64 lines, and the matching END line.
pub fn pem_decode(text: &str) -> Option<(String, Vec<u8>)> {
    let mut rest = text;
    loop {
        // Go only looks for BEGIN at the start of the text or of a line.
        let start = if rest.starts_with("-----BEGIN ") {
            0
        } else {
            rest.find("\n-----BEGIN ")? + 1
        };
        let after = &rest[start + 11..];
        let type_end = after.find("-----")?;
        let kind = &after[..type_end];
        let body_start = &after[type_end + 5..];
        // The BEGIN line must end right after its dashes (trailing spaces allowed).
        let line_end = body_start.find('\n').unwrap_or(body_start.len());
        if !body_start[..line_end].trim().is_empty() || kind.contains('\n') {
            rest = &rest[start + 11..];
            continue;
        }
        let body = &body_start[(line_end + 1).min(body_start.len())..];
        let end_marker = format!("-----END {kind}-----");
        let Some(end) = body.find(&end_marker) else {
            rest = &rest[start + 11..];
            continue;
        };
        let mut content = &body[..end];
        // Headers end at the first blank line when the block has a `:` before it.
        if let Some(blank) = content.find("\n\n") {
            if content[..blank].contains(':') {
                content = &content[blank + 2..];
            }
        }
        let b64: Vec<u8> = content
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        match base64_decode(&b64) {
            Ok(bytes) => return Some((kind.to_string(), bytes)),
            Err(_) => {
                rest = &rest[start + 11..];
                continue;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Keys

/// A private key of a type Sprig can generate or parse.
enum PrivateKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    Dsa(Box<dsa::SigningKey>),
    Ecdsa(p256::SecretKey),
    /// A P-384 key given to a `WithKey` function (Sprig only generates P-256).
    EcdsaP384(p384::SecretKey),
    Ed25519(ed25519_dalek::SigningKey),
}

fn rng() -> OsRng {
    OsRng
}

fn generate_rsa(bits: usize) -> Result<PrivateKey, String> {
    crate::funcs::rsa_keygen::generate(bits).map(|k| PrivateKey::Rsa(Box::new(k)))
}

impl PrivateKey {
    /// The PEM block Sprig's `pemBlockForKey` prints.
    fn to_pem(&self) -> Result<String, String> {
        match self {
            PrivateKey::Rsa(k) => {
                let der = k.to_pkcs1_der().map_err(|e| e.to_string())?;
                Ok(pem_encode("RSA PRIVATE KEY", der.as_bytes()))
            }
            PrivateKey::Dsa(k) => {
                let vk = k.verifying_key();
                let c = vk.components();
                let der = seq(&[
                    &uint(&[0]),
                    &uint(&c.p().to_bytes_be()),
                    &uint(&c.q().to_bytes_be()),
                    &uint(&c.g().to_bytes_be()),
                    &uint(&vk.y().to_bytes_be()),
                    &uint(&k.x().to_bytes_be()),
                ]);
                Ok(pem_encode("DSA PRIVATE KEY", &der))
            }
            PrivateKey::Ecdsa(k) => {
                // SEC 1 with the named curve and the public key, as Go's MarshalECPrivateKey
                // writes it (the crate's encoder leaves the curve out).
                use p256::elliptic_curve::sec1::ToEncodedPoint;
                let point = k.public_key().to_encoded_point(false);
                let der = seq(&[
                    &uint(&[1]),
                    &octets(&k.to_bytes()),
                    &tlv(0xa0, OID_P256),
                    &tlv(0xa1, &bit_string(point.as_bytes())),
                ]);
                Ok(pem_encode("EC PRIVATE KEY", &der))
            }
            PrivateKey::EcdsaP384(k) => {
                use p384::elliptic_curve::sec1::ToEncodedPoint;
                let point = k.public_key().to_encoded_point(false);
                let der = seq(&[
                    &uint(&[1]),
                    &octets(&k.to_bytes()),
                    &tlv(0xa0, OID_P384),
                    &tlv(0xa1, &bit_string(point.as_bytes())),
                ]);
                Ok(pem_encode("EC PRIVATE KEY", &der))
            }
            PrivateKey::Ed25519(k) => {
                // PKCS#8 v1 without the public key, as Go's MarshalPKCS8PrivateKey writes it.
                let der = seq(&[
                    &uint(&[0]),
                    &seq(&[OID_ED25519]),
                    &octets(&octets(&k.to_bytes())),
                ]);
                Ok(pem_encode("PRIVATE KEY", &der))
            }
        }
    }

    /// The public key as the bit string of a SubjectPublicKeyInfo, and the whole SPKI.
    fn public_key_info(&self) -> Result<(Vec<u8>, Vec<u8>), String> {
        let (bits, alg) = match self {
            PrivateKey::Rsa(k) => {
                let der = k
                    .to_public_key()
                    .to_pkcs1_der()
                    .map_err(|e| e.to_string())?;
                (der.as_bytes().to_vec(), seq(&[OID_RSA, NULL]))
            }
            PrivateKey::Ecdsa(k) => {
                use p256::elliptic_curve::sec1::ToEncodedPoint;
                let point = k.public_key().to_encoded_point(false);
                (
                    point.as_bytes().to_vec(),
                    seq(&[OID_EC_PUBLIC_KEY, OID_P256]),
                )
            }
            PrivateKey::EcdsaP384(k) => {
                use p384::elliptic_curve::sec1::ToEncodedPoint;
                let point = k.public_key().to_encoded_point(false);
                (
                    point.as_bytes().to_vec(),
                    seq(&[OID_EC_PUBLIC_KEY, OID_P384]),
                )
            }
            PrivateKey::Ed25519(k) => (k.verifying_key().to_bytes().to_vec(), seq(&[OID_ED25519])),
            PrivateKey::Dsa(_) => {
                return Err("x509: unsupported public key type: *dsa.PublicKey".into())
            }
        };
        let spki = seq(&[&alg, &bit_string(&bits)]);
        Ok((bits, spki))
    }

    fn signature_algorithm(&self) -> Vec<u8> {
        match self {
            PrivateKey::Rsa(_) => seq(&[OID_SHA256_RSA, NULL]),
            PrivateKey::Ecdsa(_) => seq(&[OID_ECDSA_SHA256]),
            // Go signs with the hash that matches the curve size.
            PrivateKey::EcdsaP384(_) => seq(&[OID_ECDSA_SHA384]),
            _ => seq(&[OID_ED25519]),
        }
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, String> {
        use rsa::signature::{SignatureEncoding, Signer};
        match self {
            PrivateKey::Rsa(k) => {
                if let Some(sig) = rsa_sign_sha256(k, msg) {
                    return Ok(sig);
                }
                let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**k).clone());
                let sig = signer.try_sign(msg).map_err(|e| e.to_string())?;
                Ok(sig.to_vec())
            }
            PrivateKey::Ecdsa(k) => {
                let signer = p256::ecdsa::SigningKey::from(k);
                let sig: p256::ecdsa::Signature =
                    signer.try_sign(msg).map_err(|e| e.to_string())?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            PrivateKey::EcdsaP384(k) => {
                let signer = p384::ecdsa::SigningKey::from(k);
                let sig: p384::ecdsa::Signature =
                    signer.try_sign(msg).map_err(|e| e.to_string())?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            PrivateKey::Ed25519(k) => Ok(k.sign(msg).to_bytes().to_vec()),
            PrivateKey::Dsa(_) => {
                Err("x509: certificate private key does not implement crypto.Signer".into())
            }
        }
    }
}

/// Go's `encoding/asn1` error for DER that is not the expected SEQUENCE, as far as it can be
/// reproduced: a wrong outer tag gets Go's exact text; other damage a shorter one.
fn asn1_error(der: &[u8], structure: &str) -> String {
    match der {
        [tag, len, ..] if *tag != 0x30 => format!(
            "asn1: structure error: tags don't match (16 vs {{class:{} tag:{} length:{} isCompound:{}}}) {{optional:false explicit:false application:false private:false defaultValue:<nil> tag:<nil> stringType:0 timeType:0 set:false omitEmpty:false}} {structure} @2",
            tag >> 6,
            tag & 0x1f,
            if *len < 0x80 { usize::from(*len) } else { 0 },
            tag & 0x20 != 0,
        ),
        _ => "asn1: syntax error: data truncated".into(),
    }
}

fn is_pkcs1(der: &[u8]) -> bool {
    rsa::RsaPrivateKey::from_pkcs1_der(der).is_ok()
}

fn is_sec1(der: &[u8]) -> bool {
    p256::SecretKey::from_sec1_der(der).is_ok() || p384::SecretKey::from_sec1_der(der).is_ok()
}

fn parse_pkcs8(der: &[u8]) -> Option<PrivateKey> {
    if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(der) {
        return Some(PrivateKey::Rsa(Box::new(k)));
    }
    if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
        return Some(PrivateKey::Ecdsa(k));
    }
    if let Ok(k) = p384::SecretKey::from_pkcs8_der(der) {
        return Some(PrivateKey::EcdsaP384(k));
    }
    ed25519_dalek::SigningKey::from_pkcs8_der(der)
        .ok()
        .map(PrivateKey::Ed25519)
}

/// Sprig's `parsePrivateKeyPEM`, with Go's error texts where the key is rejected: a key in
/// another format than its PEM type names gets Go's "use ParseXxx instead" hint.
fn parse_private_key_pem(text: &str) -> Result<PrivateKey, String> {
    let (kind, der) = pem_decode(text).ok_or("no PEM data in input")?;
    if kind == "PRIVATE KEY" {
        return parse_pkcs8(&der).ok_or_else(|| {
            let why = if is_pkcs1(&der) {
                "x509: failed to parse private key (use ParsePKCS1PrivateKey instead for this key format)".to_string()
            } else if is_sec1(&der) {
                "x509: failed to parse private key (use ParseECPrivateKey instead for this key format)".to_string()
            } else {
                asn1_error(&der, "pkcs8")
            };
            format!("decoding PEM as PKCS#8: {why}")
        });
    }
    let Some(prefix) = kind.strip_suffix(" PRIVATE KEY") else {
        return Err(format!("no private key data in PEM block of type {kind}"));
    };
    match prefix {
        "RSA" => rsa::RsaPrivateKey::from_pkcs1_der(&der)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(|_| {
                let why = if parse_pkcs8(&der).is_some() {
                    "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)".to_string()
                } else if is_sec1(&der) {
                    "x509: failed to parse private key (use ParseECPrivateKey instead for this key format)".to_string()
                } else {
                    asn1_error(&der, "pkcs1PrivateKey")
                };
                format!("parsing RSA private key from PEM: {why}")
            }),
        "EC" => p256::SecretKey::from_sec1_der(&der)
            .map(PrivateKey::Ecdsa)
            .or_else(|_| p384::SecretKey::from_sec1_der(&der).map(PrivateKey::EcdsaP384))
            .map_err(|_| {
                let why = if parse_pkcs8(&der).is_some() {
                    "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)".to_string()
                } else if is_pkcs1(&der) {
                    "x509: failed to parse private key (use ParsePKCS1PrivateKey instead for this key format)".to_string()
                } else {
                    format!(
                        "x509: failed to parse EC private key: {}",
                        asn1_error(&der, "ecPrivateKey")
                    )
                };
                format!("parsing EC private key from PEM: {why}")
            }),
        "DSA" => parse_dsa(&der)
            .map(|k| PrivateKey::Dsa(Box::new(k)))
            .ok_or_else(|| {
                format!(
                    "parsing DSA private key from PEM: {}",
                    asn1_error(&der, "DSAKeyFormat")
                )
            }),
        _ => Err(format!("invalid private key type {kind}")),
    }
}

/// Reads one DER element: (tag, content, rest).
fn der_read(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |a, &b| (a << 8) | usize::from(b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

fn parse_dsa(der: &[u8]) -> Option<dsa::SigningKey> {
    let (tag, mut body, _) = der_read(der)?;
    if tag != 0x30 {
        return None;
    }
    let mut ints = Vec::new();
    while !body.is_empty() {
        let (tag, content, rest) = der_read(body)?;
        if tag != 0x02 {
            return None;
        }
        ints.push(dsa::BigUint::from_bytes_be(content));
        body = rest;
    }
    let [_, p, q, g, y, x] = <[dsa::BigUint; 6]>::try_from(ints).ok()?;
    let components = dsa::Components::from_components(p, q, g).ok()?;
    let vk = dsa::VerifyingKey::from_components(components, y).ok()?;
    dsa::SigningKey::from_components(vk, x).ok()
}

fn gen_private_key(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let typ = s(args, 0);
    let key = match typ {
        "" | "rsa" => generate_rsa(4096),
        "dsa" => {
            let components = dsa::Components::generate(&mut rng(), dsa::KeySize::DSA_2048_256);
            Ok(PrivateKey::Dsa(Box::new(dsa::SigningKey::generate(
                &mut rng(),
                components,
            ))))
        }
        "ecdsa" => Ok(PrivateKey::Ecdsa(p256::SecretKey::random(&mut rng()))),
        "ed25519" => Ok(PrivateKey::Ed25519(ed25519_dalek::SigningKey::generate(
            &mut rng(),
        ))),
        _ => return Ok(Value::string(format!("Unknown type {typ}"))),
    };
    let text = match key.and_then(|k| k.to_pem()) {
        Ok(pem) => pem,
        Err(e) => format!("failed to generate private key: {e}"),
    };
    Ok(Value::string(text))
}

// ---------------------------------------------------------------------------------------------
// Certificates

/// Sprig's `certificate` struct: `.Cert` and `.Key`, both PEM text.
#[derive(Debug)]
pub struct Certificate {
    pub cert: String,
    pub key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::str(&self.cert)),
            "Key" => Some(Value::str(&self.key)),
            _ => None,
        }
    }

    fn format(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }

    fn to_data(&self) -> Value {
        let mut m = Map::new();
        m.insert("Cert".into(), Value::str(&self.cert));
        m.insert("Key".into(), Value::str(&self.key));
        Value::map(m)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn cert_value(cert: String, key: String) -> Value {
    Value::Object(Rc::new(Certificate { cert, key }))
}

/// The parts of a parent (signing) certificate that a child certificate takes.
struct Parent {
    subject: Vec<u8>,
    subject_key_id: Option<Vec<u8>>,
    spki: Vec<u8>,
}

fn parse_certificate(der: &[u8]) -> Result<Parent, String> {
    use der::{Decode, Encode};
    let cert = x509_cert::Certificate::from_der(der)
        .map_err(|e| format!("x509: malformed certificate ({e})"))?;
    let tbs = &cert.tbs_certificate;
    let subject = tbs.subject.to_der().map_err(|e| e.to_string())?;
    let spki = tbs
        .subject_public_key_info
        .to_der()
        .map_err(|e| e.to_string())?;
    let ski_oid = der::asn1::ObjectIdentifier::new_unwrap("2.5.29.14");
    let subject_key_id = tbs.extensions.iter().flatten().find_map(|ext| {
        (ext.extn_id == ski_oid)
            .then(|| der_read(ext.extn_value.as_bytes()))
            .flatten()
            .filter(|(tag, _, _)| *tag == 0x04)
            .map(|(_, content, _)| content.to_vec())
    });
    Ok(Parent {
        subject,
        subject_key_id,
        spki,
    })
}

/// ASN.1 time as Go writes it: UTCTime from 1950 to 2049, GeneralizedTime otherwise.
fn asn1_time(t: chrono::DateTime<chrono::Utc>) -> Vec<u8> {
    use chrono::Datelike;
    let year = t.year();
    if (1950..2050).contains(&year) {
        tlv(0x17, t.format("%y%m%d%H%M%SZ").to_string().as_bytes())
    } else {
        tlv(
            0x18,
            format!("{:04}{}", year, t.format("%m%d%H%M%SZ")).as_bytes(),
        )
    }
}

/// Go marshals a string as PrintableString when every byte allows it, else UTF8String.
fn directory_string(s: &str) -> Vec<u8> {
    let printable = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?*".contains(&b));
    tlv(if printable { 0x13 } else { 0x0c }, s.as_bytes())
}

fn subject_name(cn: &str) -> Vec<u8> {
    if cn.is_empty() {
        return seq(&[]);
    }
    let atv = seq(&[OID_CN, &directory_string(cn)]);
    seq(&[&tlv(0x31, &atv)])
}

/// Go's `net.ParseIP`, as the bytes a certificate holds (4 for IPv4 and IPv4-mapped IPv6).
fn parse_ip(s: &str) -> Option<Vec<u8>> {
    match s.parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => Some(a.octets().to_vec()),
        IpAddr::V6(a) => Some(match a.to_ipv4_mapped() {
            Some(v4) => v4.octets().to_vec(),
            None => a.octets().to_vec(),
        }),
    }
}

fn go_v(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(n) | Value::Int64(n) => n.to_string(),
        Value::Uint(n) => n.to_string(),
        Value::Float(f) => format!("{f}"),
        Value::String(s) => s.to_string(),
        Value::Object(o) => o.format(),
        other => format!("{other:?}"),
    }
}

struct Template {
    cn: String,
    ips: Vec<Vec<u8>>,
    dns: Vec<String>,
    days: i64,
    is_ca: bool,
}

fn base_template(cn: &str, ips: &Value, dns: &Value, days: i64) -> Result<Template, String> {
    let mut ip_bytes = Vec::new();
    if let Some(list) = ips.as_list() {
        for ip in list.iter() {
            let Some(text) = ip.as_str() else {
                return Err(format!("error parsing ip: {} is not a string", go_v(ip)));
            };
            ip_bytes.push(parse_ip(text).ok_or_else(|| format!("error parsing ip: {text}"))?);
        }
    }
    let mut names = Vec::new();
    if let Some(list) = dns.as_list() {
        for name in list.iter() {
            let Some(text) = name.as_str() else {
                return Err(format!(
                    "error processing alternate dns name: {} is not a string",
                    go_v(name)
                ));
            };
            names.push(text.to_string());
        }
    }
    Ok(Template {
        cn: cn.to_string(),
        ips: ip_bytes,
        dns: names,
        days,
        is_ca: false,
    })
}

fn extension(oid: &[u8], critical: bool, value: &[u8]) -> Vec<u8> {
    if critical {
        seq(&[oid, &[0x01, 0x01, 0xff], &octets(value)])
    } else {
        seq(&[oid, &octets(value)])
    }
}

/// Go's `CreateCertificate` for Sprig's templates. Returns the certificate PEM.
fn create_certificate(
    t: &Template,
    signee: &PrivateKey,
    parent: Option<&Parent>,
    signer: &PrivateKey,
    compat: Compat,
) -> Result<String, String> {
    // Go's order of checks: the signer's type, the signee's public key, then the parent.
    if matches!(signer, PrivateKey::Dsa(_)) {
        return Err("x509: certificate private key does not implement crypto.Signer".into());
    }
    let (pub_bits, spki) = signee.public_key_info()?;
    if let Some(p) = parent {
        let (_, signer_spki) = signer.public_key_info()?;
        if signer_spki != p.spki {
            return Err("x509: provided PrivateKey doesn't match parent's PublicKey".into());
        }
    }

    let mut serial = [0u8; 16];
    rng().fill_bytes(&mut serial);
    let now = chrono::Utc::now();
    let not_before = now;
    let not_after = t
        .days
        .checked_mul(86_400)
        .and_then(chrono::TimeDelta::try_seconds)
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(now);

    let subject = subject_name(&t.cn);
    let issuer = parent.map_or_else(|| subject.clone(), |p| p.subject.clone());

    let mut exts: Vec<Vec<u8>> = Vec::new();
    // KeyUsage: digitalSignature (bit 0), keyEncipherment (bit 2), keyCertSign (bit 5).
    let ku = if t.is_ca {
        bit_string_with_unused(&[0b1010_0100], 2)
    } else {
        bit_string_with_unused(&[0b1010_0000], 5)
    };
    exts.push(extension(OID_KEY_USAGE, true, &ku));
    exts.push(extension(
        OID_EXT_KEY_USAGE,
        false,
        &seq(&[OID_SERVER_AUTH, OID_CLIENT_AUTH]),
    ));
    let bc = if t.is_ca {
        seq(&[&[0x01, 0x01, 0xff]])
    } else {
        seq(&[])
    };
    exts.push(extension(OID_BASIC_CONSTRAINTS, true, &bc));
    let ski = t.is_ca.then(|| match compat {
        // Go 1.25 and later derive it from truncated SHA-256; Go 1.23 from SHA-1.
        Compat::Helm3 => sha1::Sha1::digest(&pub_bits).to_vec(),
        _ => sha2::Sha256::digest(&pub_bits)[..20].to_vec(),
    });
    if let Some(id) = &ski {
        exts.push(extension(OID_SKI, false, &octets(id)));
    }
    if let Some(p) = parent {
        if p.subject != subject {
            if let Some(aki) = &p.subject_key_id {
                exts.push(extension(OID_AKI, false, &seq(&[&tlv(0x80, aki)])));
            }
        }
    }
    if !t.dns.is_empty() || !t.ips.is_empty() {
        let mut names = Vec::new();
        for d in &t.dns {
            names.extend(tlv(0x82, d.as_bytes()));
        }
        for ip in &t.ips {
            names.extend(tlv(0x87, ip));
        }
        // Go marks the SAN critical when the subject is empty (RFC 5280 4.2.1.6).
        exts.push(extension(OID_SAN, t.cn.is_empty(), &tlv(0x30, &names)));
    }

    let sig_alg = signer.signature_algorithm();
    let tbs = seq(&[
        &tlv(0xa0, &uint(&[2])),
        &uint(&serial),
        &sig_alg,
        &issuer,
        &seq(&[&asn1_time(not_before), &asn1_time(not_after)]),
        &subject,
        &spki,
        &tlv(0xa3, &tlv(0x30, &exts.concat())),
    ]);
    let signature = signer.sign(&tbs)?;
    let cert = seq(&[&tbs, &sig_alg, &bit_string(&signature)]);
    Ok(pem_encode("CERTIFICATE", &cert))
}

fn bit_string_with_unused(bytes: &[u8], unused: u8) -> Vec<u8> {
    let mut body = vec![unused];
    body.extend_from_slice(bytes);
    tlv(0x03, &body)
}

fn cert_and_key(
    t: &Template,
    signee: &PrivateKey,
    parent: Option<&Parent>,
    signer: &PrivateKey,
    compat: Compat,
) -> Result<Value, FuncError> {
    let cert = create_certificate(t, signee, parent, signer, compat)
        .map_err(|e| FuncError::Call(format!("error creating certificate: {e}")))?;
    let key = signee
        .to_pem()
        .map_err(|e| FuncError::Call(format!("error pem-encoding key: {e}")))?;
    Ok(cert_value(cert, key))
}

fn rsa_2048() -> Result<PrivateKey, FuncError> {
    generate_rsa(2048).map_err(|e| FuncError::Call(format!("error generating rsa key: {e}")))
}

fn key_from_pem(text: &str) -> Result<PrivateKey, FuncError> {
    parse_private_key_pem(text).map_err(|e| FuncError::Call(format!("parsing private key: {e}")))
}

fn ca_with(rt: &mut dyn Runtime, args: &[Value], key: PrivateKey) -> Result<Value, FuncError> {
    let mut t = base_template(s(args, 0), &Value::Nil, &Value::Nil, int(args, 1))
        .map_err(FuncError::Call)?;
    t.is_ca = true;
    cert_and_key(&t, &key, None, &key, rt.compat())
}

fn gen_ca(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let key = rsa_2048()?;
    ca_with(rt, args, key)
}

fn gen_ca_with_key(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let key = key_from_pem(s(args, 2))?;
    ca_with(rt, args, key)
}

fn self_signed_with(
    rt: &mut dyn Runtime,
    args: &[Value],
    key: PrivateKey,
) -> Result<Value, FuncError> {
    let nil = Value::Nil;
    let t = base_template(
        s(args, 0),
        args.get(1).unwrap_or(&nil),
        args.get(2).unwrap_or(&nil),
        int(args, 3),
    )
    .map_err(FuncError::Call)?;
    cert_and_key(&t, &key, None, &key, rt.compat())
}

fn gen_self_signed_cert(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let key = rsa_2048()?;
    self_signed_with(rt, args, key)
}

fn gen_self_signed_cert_with_key(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let key = key_from_pem(s(args, 4))?;
    self_signed_with(rt, args, key)
}

/// The `ca` argument, which Go's template engine requires to be a `sprig.certificate`.
fn ca_arg(v: Option<&Value>) -> Result<(String, String), FuncError> {
    let wrong = |got: String| {
        FuncError::Call(format!(
            "wrong type for value; expected sprig.certificate; got {got}"
        ))
    };
    match v {
        Some(Value::Object(o)) => match o.as_any().downcast_ref::<Certificate>() {
            Some(c) => Ok((c.cert.clone(), c.key.clone())),
            None => Err(wrong(o.type_name().to_string())),
        },
        Some(Value::Nil) | None => Err(FuncError::Call(
            "invalid value; expected sprig.certificate".into(),
        )),
        Some(other) => Err(wrong(other.type_name())),
    }
}

fn signed_with(rt: &mut dyn Runtime, args: &[Value], key: PrivateKey) -> Result<Value, FuncError> {
    let (ca_cert, ca_key) = ca_arg(args.get(4))?;
    let (_, der) =
        pem_decode(&ca_cert).ok_or_else(|| FuncError::call("unable to decode certificate"))?;
    let parent = parse_certificate(&der).map_err(|e| {
        FuncError::Call(format!(
            "error parsing certificate: decodedSignerCert.Bytes: {e}"
        ))
    })?;
    let signer = parse_private_key_pem(&ca_key)
        .map_err(|e| FuncError::Call(format!("error parsing private key: {e}")))?;
    let nil = Value::Nil;
    let t = base_template(
        s(args, 0),
        args.get(1).unwrap_or(&nil),
        args.get(2).unwrap_or(&nil),
        int(args, 3),
    )
    .map_err(FuncError::Call)?;
    cert_and_key(&t, &key, Some(&parent), &signer, rt.compat())
}

/// The DER prefix of a SHA-256 `DigestInfo` (RFC 8017, section 9.2, note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// An RSASSA-PKCS1-v1_5 signature with SHA-256 (what Go's `x509.CreateCertificate` makes with
/// an RSA key), through [`crate::funcs::rsa_keygen::private_op`]; `None` for a key that function does not
/// take. The signature is checked with the public key before it is used, as the `rsa` crate
/// checks its own.
fn rsa_sign_sha256(key: &rsa::RsaPrivateKey, msg: &[u8]) -> Option<Vec<u8>> {
    use rsa::traits::PublicKeyParts;
    use sha2::Digest;
    let len = key.size();
    let hash = sha2::Sha256::digest(msg);
    let t_len = SHA256_DIGEST_INFO.len() + hash.len();
    if len < t_len + 11 {
        return None;
    }
    let mut em = vec![0xff; len];
    em[0] = 0;
    em[1] = 1;
    em[len - t_len - 1] = 0;
    em[len - t_len..len - hash.len()].copy_from_slice(&SHA256_DIGEST_INFO);
    em[len - hash.len()..].copy_from_slice(&hash);
    let m = rsa::BigUint::from_bytes_be(&em);
    let s = crate::funcs::rsa_keygen::private_op(key, &m)?;
    if s.modpow(key.e(), key.n()) != m {
        return None;
    }
    let bytes = s.to_bytes_be();
    let mut sig = vec![0; len.checked_sub(bytes.len())?];
    sig.extend_from_slice(&bytes);
    Some(sig)
}

fn gen_signed_cert(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    // Go checks the argument types before Sprig generates the key.
    ca_arg(args.get(4))?;
    let key = rsa_2048()?;
    signed_with(rt, args, key)
}

fn gen_signed_cert_with_key(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    ca_arg(args.get(4))?;
    let key = key_from_pem(s(args, 5))?;
    signed_with(rt, args, key)
}

fn build_custom_cert(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let cert = base64_decode(s(args, 0).as_bytes())
        .map_err(|_| FuncError::call("unable to decode base64 certificate"))?;
    let key = base64_decode(s(args, 1).as_bytes())
        .map_err(|_| FuncError::call("unable to decode base64 private key"))?;
    let cert = bytes_to_string(cert);
    let key = bytes_to_string(key);
    let (_, der) =
        pem_decode(&cert).ok_or_else(|| FuncError::call("unable to decode certificate"))?;
    parse_certificate(&der).map_err(|e| {
        FuncError::Call(format!("error parsing certificate: decodedCert.Bytes: {e}"))
    })?;
    parse_private_key_pem(&key)
        .map_err(|e| FuncError::Call(format!("error parsing private key: {e}")))?;
    Ok(cert_value(cert, key))
}

// ---------------------------------------------------------------------------------------------
// Passwords and AES

const MASTER_PASSWORD_SEED: &str = "com.lyndir.masterpassword";

fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_chars(c: u8) -> &'static str {
    match c {
        b'V' => "AEIOU",
        b'C' => "BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => "aeiou",
        b'c' => "bcdfghjklmnpqrstvwxyz",
        b'A' => "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => "0123456789",
        b'o' => "@&%?,=[]_:-+*$#!'^~;()/.",
        _ => "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// The Master Password algorithm (scrypt, then HMAC-SHA256 choosing template characters).
pub fn derive_password_text(
    counter: u32,
    kind: &str,
    password: &str,
    user: &str,
    site: &str,
) -> String {
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    // Go writes lengths as uint32 (they cannot exceed it for a template string).
    let len32 = |s: &str| u32::try_from(s.len()).unwrap_or(u32::MAX).to_be_bytes();
    let mut salt = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    salt.extend_from_slice(&len32(user));
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    // N = 32768 = 2^15, r = 8, p = 2: valid parameters, so neither call can fail.
    let params = match scrypt::Params::new(15, 8, 2, 64) {
        Ok(p) => p,
        Err(e) => return format!("failed to derive password: {e}"),
    };
    if let Err(e) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
        return format!("failed to derive password: {e}");
    }
    let mut msg = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    msg.extend_from_slice(&len32(site));
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key) else {
        return "failed to derive password".into();
    };
    mac.update(&msg);
    let seed = mac.finalize().into_bytes();
    let template = templates[usize::from(seed[0]) % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let chars = template_chars(c).as_bytes();
            char::from(chars[usize::from(seed[i + 1]) % chars.len()])
        })
        .collect()
}

fn derive_password(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    // Go's template engine stores an integer constant into the `uint32` parameter with
    // `SetUint`, which keeps the low 32 bits.
    let counter = match args.first() {
        Some(Value::Int(n) | Value::Int64(n)) if *n >= 0 => *n as u32,
        Some(Value::Uint(n)) => *n as u32,
        Some(Value::Int(n) | Value::Int64(n)) => {
            return Err(FuncError::Call(format!(
                "expected unsigned integer; found {n}"
            )))
        }
        Some(Value::Nil) | None => {
            return Err(FuncError::call("invalid value; expected uint32"));
        }
        Some(other) => {
            return Err(FuncError::Call(format!(
                "wrong type for value; expected uint32; got {}",
                other.type_name()
            )))
        }
    };
    Ok(Value::string(derive_password_text(
        counter,
        s(args, 1),
        s(args, 2),
        s(args, 3),
        s(args, 4),
    )))
}

/// Go's `bcrypt.GenerateFromPassword` at the default cost 10, `$2a$` form.
fn bcrypt_text(input: &str) -> String {
    if input.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .into();
    }
    match bcrypt::hash_with_result(input, 10) {
        Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

fn bcrypt_fn(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::string(bcrypt_text(s(args, 0))))
}

fn htpasswd(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let user = s(args, 0);
    if user.contains(':') {
        return Ok(Value::string(format!("invalid username: {user}")));
    }
    Ok(Value::string(format!("{user}:{}", bcrypt_text(s(args, 1)))))
}

/// The AES-256 key Sprig makes from a password: its bytes, zero-padded or cut to 32.
fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    key
}

fn encrypt_aes(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let plaintext = s(args, 1).as_bytes();
    if plaintext.is_empty() {
        return Ok(Value::str(""));
    }
    let mut iv = [0u8; 16];
    rng().fill_bytes(&mut iv);
    let enc = cbc::Encryptor::<aes::Aes256>::new(&aes_key(s(args, 0)).into(), &iv.into());
    // PKCS#7 padding, as Sprig adds it by hand.
    let pad = 16 - plaintext.len() % 16;
    let mut buf = plaintext.to_vec();
    buf.resize(plaintext.len() + pad, pad as u8);
    let len = buf.len();
    let body = enc
        .encrypt_padded_mut::<aes::cipher::block_padding::NoPadding>(&mut buf, len)
        .map_err(|_| FuncError::call("crypto/cipher: input not full blocks"))?;
    let mut out = iv.to_vec();
    out.extend_from_slice(body);
    Ok(Value::string(base64_encode(&out)))
}

fn decrypt_aes(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let crypt64 = s(args, 1);
    if crypt64.is_empty() {
        return Ok(Value::str(""));
    }
    let crypt = base64_decode(crypt64.as_bytes()).map_err(FuncError::Call)?;
    // Sprig slices and decrypts without checks; these are the runtime panics Go reports.
    if crypt.len() < 16 {
        return Err(FuncError::Call(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            crypt.len()
        )));
    }
    let (iv, body) = crypt.split_at(16);
    if body.len() % 16 != 0 {
        return Err(FuncError::call("crypto/cipher: input not full blocks"));
    }
    if body.is_empty() {
        return Err(FuncError::call("runtime error: index out of range [-1]"));
    }
    let mut buf = body.to_vec();
    let dec = cbc::Decryptor::<aes::Aes256>::new(&aes_key(s(args, 0)).into(), iv.into());
    let plain = dec
        .decrypt_padded_mut::<aes::cipher::block_padding::NoPadding>(&mut buf)
        .map_err(|_| FuncError::call("crypto/cipher: input not full blocks"))?;
    let pad = usize::from(plain[plain.len() - 1]);
    if pad > plain.len() {
        return Err(FuncError::Call(format!(
            "runtime error: slice bounds out of range [:{}]",
            plain.len() as i64 - pad as i64
        )));
    }
    Ok(Value::string(bytes_to_string(
        plain[..plain.len() - pad].to_vec(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gotemplate::func::PlainRuntime;
    use std::process::Command;

    fn call(f: crate::gotemplate::func::FuncImpl, args: &[Value]) -> Result<Value, FuncError> {
        f(&mut PlainRuntime::default(), args)
    }

    #[test]
    fn rsa_signatures_match_the_rsa_crate() {
        use rsa::signature::{SignatureEncoding, Signer};
        for bits in [1024, 2048] {
            let key = crate::funcs::rsa_keygen::generate(bits).unwrap();
            let theirs = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone());
            for msg in [&b""[..], b"to be signed", &[7u8; 1000]] {
                let ours = rsa_sign_sha256(&key, msg).expect("a key of whole limbs");
                assert_eq!(ours, theirs.sign(msg).to_vec(), "{bits}-bit key");
            }
        }
    }

    #[test]
    fn rsa_keys_of_other_shapes_are_left_to_the_rsa_crate() {
        // 1000-bit primes are not a whole number of 64-bit limbs.
        let mut rng = rand::rngs::OsRng;
        let key = rsa::RsaPrivateKey::new(&mut rng, 2000).unwrap();
        assert!(rsa_sign_sha256(&key, b"x").is_none());
        let sig = PrivateKey::Rsa(Box::new(key.clone())).sign(b"x").unwrap();
        let theirs = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key);
        use rsa::signature::{SignatureEncoding, Signer};
        assert_eq!(sig, theirs.sign(b"x").to_vec());
    }

    fn field(v: &Value, name: &str) -> String {
        match v {
            Value::Object(o) => o
                .field(name)
                .and_then(|f| f.as_str().map(String::from))
                .unwrap(),
            other => panic!("not a certificate: {other:?}"),
        }
    }

    #[test]
    fn derive_password_matches_sprig() {
        // Sprig's own test vector.
        assert_eq!(
            derive_password_text(1, "long", "password", "user", "example.com"),
            "ZedaFaxcZaso9*"
        );
    }

    #[test]
    fn aes_round_trip() {
        let enc = call(encrypt_aes, &[Value::str("secretkey"), Value::str("hello")]).unwrap();
        let dec = call(decrypt_aes, &[Value::str("secretkey"), enc]).unwrap();
        assert_eq!(dec.as_str(), Some("hello"));
        assert_eq!(
            call(decrypt_aes, &[Value::str("k"), Value::str("YWJj")]).unwrap_err(),
            FuncError::call("runtime error: slice bounds out of range [:16] with capacity 3")
        );
    }

    #[test]
    fn bcrypt_form() {
        let h = bcrypt_text("x");
        assert!(h.starts_with("$2a$10$") && h.len() == 60, "{h}");
    }

    #[test]
    fn keys_round_trip_through_pem() {
        for typ in ["ecdsa", "ed25519"] {
            let pem = call(gen_private_key, &[Value::str(typ)]).unwrap();
            let pem = pem.as_str().unwrap();
            let key = parse_private_key_pem(pem).unwrap();
            assert_eq!(key.to_pem().unwrap(), pem);
        }
        assert_eq!(
            call(gen_private_key, &[Value::str("x")]).unwrap().as_str(),
            Some("Unknown type x")
        );
    }

    fn openssl() -> bool {
        let ok = Command::new("openssl").arg("version").output().is_ok();
        if !ok {
            eprintln!("SKIPPED: openssl is not installed; certificates not checked with it");
        }
        ok
    }

    fn openssl_text(pem: &str, dir: &std::path::Path, name: &str) -> String {
        let path = dir.join(name);
        std::fs::write(&path, pem).unwrap();
        let out = Command::new("openssl")
            .args(["x509", "-noout", "-text", "-in"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[test]
    fn private_keys_pass_openssl() {
        if !openssl() {
            return;
        }
        let dir = std::env::temp_dir().join(format!("chartctl-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for typ in ["ecdsa", "ed25519", "dsa"] {
            let pem = call(gen_private_key, &[Value::str(typ)]).unwrap();
            let pem = pem.as_str().unwrap().to_string();
            // Our own parser reads back what we print, byte for byte.
            assert_eq!(parse_private_key_pem(&pem).unwrap().to_pem().unwrap(), pem);
            let path = dir.join(format!("{typ}.pem"));
            std::fs::write(&path, &pem).unwrap();
            let out = Command::new("openssl")
                .args(["pkey", "-noout", "-in"])
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{typ}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn pem_decode_finds_the_first_block() {
        let text = "junk\n-----BEGIN X-----\nYWJj\n-----END X-----\ntail";
        assert_eq!(pem_decode(text), Some(("X".to_string(), b"abc".to_vec())));
        assert_eq!(pem_decode("no pem here"), None);
        assert_eq!(
            parse_private_key_pem("-----BEGIN CERTIFICATE-----\nYWJj\n-----END CERTIFICATE-----\n")
                .err(),
            Some("no private key data in PEM block of type CERTIFICATE".to_string())
        );
    }

    #[test]
    fn certificates_pass_openssl() {
        if !openssl() {
            return;
        }
        let dir = std::env::temp_dir().join(format!("chartctl-crypto-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = call(gen_ca, &[Value::str("my-ca"), Value::Int(365)]).unwrap();
        let text = openssl_text(&field(&ca, "Cert"), &dir, "ca.pem");
        assert!(
            text.contains("Subject: CN=my-ca") || text.contains("Subject: CN = my-ca"),
            "{text}"
        );
        assert!(text.contains("CA:TRUE"), "{text}");
        assert!(text.contains("Certificate Sign"), "{text}");
        assert!(text.contains("Subject Key Identifier"), "{text}");
        let ips = Value::list(vec![Value::str("10.0.0.1"), Value::str("::1")]);
        let dns = Value::list(vec![Value::str("a.example.com")]);
        let leaf = call(
            gen_signed_cert,
            &[Value::str("leaf"), ips, dns, Value::Int(30), ca.clone()],
        )
        .unwrap();
        let text = openssl_text(&field(&leaf, "Cert"), &dir, "leaf.pem");
        assert!(text.contains("DNS:a.example.com"), "{text}");
        assert!(text.contains("IP Address:10.0.0.1"), "{text}");
        assert!(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"));
        assert!(text.contains("CA:FALSE"), "{text}");
        assert!(text.contains("Authority Key Identifier"), "{text}");
        assert!(field(&leaf, "Key").starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        let out = Command::new("openssl")
            .args(["verify", "-CAfile"])
            .arg(dir.join("ca.pem"))
            .arg(dir.join("leaf.pem"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );

        // ECDSA (P-256 and P-384) and Ed25519 keys signing their own certificates.
        let p384 = PrivateKey::EcdsaP384(p384::SecretKey::random(&mut rng()))
            .to_pem()
            .unwrap();
        for typ in ["ecdsa", "ed25519", "p384"] {
            let key = if typ == "p384" {
                Value::str(&p384)
            } else {
                call(gen_private_key, &[Value::str(typ)]).unwrap()
            };
            let cert = call(
                gen_self_signed_cert_with_key,
                &[
                    Value::str("self"),
                    Value::Nil,
                    Value::Nil,
                    Value::Int(1),
                    key,
                ],
            )
            .unwrap();
            let pem = field(&cert, "Cert");
            openssl_text(&pem, &dir, "self.pem");
            let out = Command::new("openssl")
                .args(["verify", "-CAfile"])
                .arg(dir.join("self.pem"))
                .arg(dir.join("self.pem"))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{typ}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
