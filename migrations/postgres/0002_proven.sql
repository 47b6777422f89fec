-- Whether a row's sender is proven: by the station's client certificate (station_bound), or by
-- the card's signature over the statement that names the id and the station (every success,
-- CERTIFICATE_REVOKED, CARD_DATA_MISMATCH). A rejection that proves nothing (UNKNOWN_KEY,
-- UNSUPPORTED_CERTIFICATE, CERTIFICATE_EXPIRED, SIGNATURE_MISMATCH from an unbound sender) is
-- kept for review but never holds its id: any later record under the key replaces it.
ALTER TABLE received ADD COLUMN proven BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE received SET proven = FALSE
 WHERE NOT station_bound AND status <> 200
   AND answer NOT LIKE '%"result":"CERTIFICATE_REVOKED"%'
   AND answer NOT LIKE '%"result":"CARD_DATA_MISMATCH"%';
