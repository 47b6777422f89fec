//! The virtual My Number Card as a card in vsmartcard's vpcd reader, without the CLI:
//!
//!     cargo run --example vpcd-bridge -- [PROFILE] [PORT]
//!
//! Same card as `madoguchi vcard --profile PROFILE --port PORT`, which also offers fault
//! injection (APDU delay, card pulled after N APDUs) and a counters file for tests.

use madoguchi::card::vcard::{pki::TestPki, profile::Profile, vpcd, VirtualCard};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let profile = Profile::named(&args.next().unwrap_or_else(|| "yamada".into()))?;
    let port = args
        .next()
        .map(|p| p.parse())
        .transpose()?
        .unwrap_or(vpcd::DEFAULT_PORT);
    let mut card = VirtualCard::new(&profile, &TestPki::generate()?)?;
    let opts = vpcd::BridgeOptions {
        port,
        ..Default::default()
    };
    eprintln!("virtual card {} on vpcd port {port}; Ctrl-C to pull it", profile.id);
    let end = vpcd::serve(&mut card, &opts)?;
    eprintln!("{end:?}");
    Ok(())
}
