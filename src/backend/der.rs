//! The few DER reads the openssl crate does not offer: extensions of CRLs (authority key
//! identifier, issuing distribution point) and a certificate's CRL distribution points, found
//! by walking the encoding. Short tags and definite lengths only, as DER has.

/// One DER element: (tag, contents, what follows).
pub fn read(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = b.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7F) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, &x| (a << 8) | x as usize);
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The elements of a constructed value's contents, in order (stops at the first bad one).
pub fn elements(mut contents: &[u8]) -> Vec<(u8, &[u8])> {
    let mut out = Vec::new();
    while let Some((tag, value, rest)) = read(contents) {
        out.push((tag, value));
        contents = rest;
    }
    out
}

/// The whole encoding (tag, length, contents) of the first element of `b`.
fn whole(b: &[u8]) -> Option<&[u8]> {
    let (_, value, rest) = read(b)?;
    let _ = value;
    Some(&b[..b.len() - rest.len()])
}

/// The extnValue (the contents of its OCTET STRING) of the extension `oid` among the
/// `[tag]`-tagged Extensions of a TBS structure (`0xA3` in a certificate, `0xA0` in a CRL).
fn extension<'a>(signed_der: &'a [u8], tag: u8, oid: &[u8]) -> Option<&'a [u8]> {
    let (_, outer, _) = read(signed_der)?; // Certificate / CertificateList
    let (_, tbs, _) = read(outer)?; // TBSCertificate / TBSCertList
    let (_, exts) = elements(tbs).into_iter().find(|(t, _)| *t == tag)?;
    let (_, list, _) = read(exts)?; // Extensions SEQUENCE
    for (_, ext) in elements(list) {
        let fields = elements(ext);
        let Some(&(0x06, id)) = fields.first() else { continue };
        if id != oid {
            continue;
        }
        // extnID, critical BOOLEAN (optional), extnValue OCTET STRING.
        return fields.iter().find(|(t, _)| *t == 0x04).map(|(_, v)| *v);
    }
    None
}

const AKI: [u8; 3] = [0x55, 0x1D, 0x23];
const IDP: [u8; 3] = [0x55, 0x1D, 0x1C];
const CDP: [u8; 3] = [0x55, 0x1D, 0x1F];

/// The keyIdentifier of a CRL's authorityKeyIdentifier (RFC 5280 §5.2.1).
pub fn crl_authority_key_id(crl_der: &[u8]) -> Option<Vec<u8>> {
    let value = extension(crl_der, 0xA0, &AKI)?;
    let (_, aki, _) = read(value)?;
    let (tag, key_id, _) = read(aki)?;
    (tag == 0x80).then(|| key_id.to_vec())
}

/// The distributionPoint of a CRL's issuingDistributionPoint (RFC 5280 §5.2.5), as its DER:
/// `None` for a full CRL (no such extension, or one without a distribution point).
pub fn crl_issuing_point(crl_der: &[u8]) -> Option<Vec<u8>> {
    let value = extension(crl_der, 0xA0, &IDP)?;
    let (_, idp, _) = read(value)?;
    let point = elements(idp).into_iter().find(|(t, _)| *t == 0xA0)?.1;
    whole(point).map(<[u8]>::to_vec)
}

/// The distributionPoint names of a certificate's cRLDistributionPoints (RFC 5280
/// §4.2.1.13), each as its DER, comparable with `crl_issuing_point`.
pub fn certificate_points(cert_der: &[u8]) -> Vec<Vec<u8>> {
    let Some(value) = extension(cert_der, 0xA3, &CDP) else {
        return Vec::new();
    };
    let Some((_, list, _)) = read(value) else {
        return Vec::new();
    };
    elements(list)
        .into_iter()
        .filter_map(|(_, dp)| elements(dp).into_iter().find(|(t, _)| *t == 0xA0))
        .filter_map(|(_, point)| whole(point).map(<[u8]>::to_vec))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounded_by_what_is_there() {
        assert_eq!(
            read(&[0x04, 0x02, 0xAA, 0xBB, 0xCC]),
            Some((0x04, &[0xAA, 0xBB][..], &[0xCC][..]))
        );
        assert_eq!(read(&[0x04, 0x05, 0xAA]), None, "length past the end");
        assert_eq!(read(&[0x04, 0x80]), None, "indefinite length");
        assert_eq!(read(&[0x04, 0x85, 1, 2, 3, 4, 5]), None, "length of five bytes");
        assert_eq!(elements(&[0x01, 0x01, 0xFF, 0x02, 0x01, 0x05, 0x30]).len(), 2);
    }
}
