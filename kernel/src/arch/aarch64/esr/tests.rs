//! Host tests of `arch/aarch64/esr.rs`.

use super::*;

fn show(v: u64) -> String {
    format!("{}", Esr(v))
}

#[test]
fn el1_data_abort_translation_l1_write() {
    let e = Esr(0x9600_0045);
    assert_eq!(e.ec(), ESR_ELX_EC_DABT_CUR);
    assert!(e.il());
    assert_eq!(e.iss(), 0x45);
    assert!(e.is_data_abort() && !e.is_instruction_abort() && !e.is_from_lower_el());
    let a = e.abort().unwrap();
    assert_eq!(
        (a.kind, a.level, a.write),
        (FaultKind::Translation, Some(1), true)
    );
    assert!(!a.cm && !a.s1ptw && a.far_valid);
    assert!(e.fault_is_write() && e.is_translation_fault());
    assert_eq!(
        show(0x9600_0045),
        "ESR 0x96000045: EC 0x25 data abort (same EL); translation fault, level 1; write"
    );
}

#[test]
fn data_abort_reads_and_permissions() {
    let a = Esr(0x9600_0007).abort().unwrap();
    assert_eq!(
        (a.kind, a.level, a.write),
        (FaultKind::Translation, Some(3), false)
    );
    assert!(!Esr(0x9600_0007).fault_is_write());
    assert!(show(0x9600_0007).ends_with("translation fault, level 3; read"));

    let e = Esr(0x9600_004f);
    let a = e.abort().unwrap();
    assert_eq!(
        (a.kind, a.level, a.write),
        (FaultKind::Permission, Some(3), true)
    );
    assert!(e.is_permission_fault() && !e.is_translation_fault());
}

#[test]
fn el0_data_abort_level0() {
    let e = Esr(0x9200_0004);
    assert_eq!(e.ec(), ESR_ELX_EC_DABT_LOW);
    assert!(e.is_from_lower_el() && e.is_data_abort());
    let a = e.abort().unwrap();
    assert_eq!(
        (a.kind, a.level, a.write),
        (FaultKind::Translation, Some(0), false)
    );
    assert_eq!(
        show(0x9200_0004),
        "ESR 0x92000004: EC 0x24 data abort (lower EL); translation fault, level 0; read"
    );
}

#[test]
fn instruction_aborts() {
    let e = Esr(0x8600_000f);
    assert_eq!(e.ec(), ESR_ELX_EC_IABT_CUR);
    assert!(e.is_instruction_abort() && !e.is_from_lower_el() && !e.is_el0_instruction_abort());
    let a = e.abort().unwrap();
    assert_eq!(
        (a.kind, a.level, a.write),
        (FaultKind::Permission, Some(3), false)
    );
    assert_eq!(
        show(0x8600_000f),
        "ESR 0x8600000f: EC 0x21 instruction abort (same EL); permission fault, level 3"
    );

    let e = Esr(0x8200_0006);
    assert_eq!(e.ec(), ESR_ELX_EC_IABT_LOW);
    assert!(e.is_from_lower_el() && e.is_el0_instruction_abort());
    let a = e.abort().unwrap();
    assert_eq!((a.kind, a.level), (FaultKind::Translation, Some(2)));
    // WnR is RES0 for instruction aborts: never report a write even if set.
    assert!(!Esr(0x8200_0046).abort().unwrap().write);
    assert!(!Esr(0x8200_0046).fault_is_write());
}

#[test]
fn svc_brk_unknown() {
    let e = Esr(0x5600_0000);
    assert_eq!(e.ec(), ESR_ELX_EC_SVC64);
    assert!(e.abort().is_none() && e.fsc().is_none());
    assert_eq!(
        show(0x5600_0000),
        "ESR 0x56000000: EC 0x15 SVC from AArch64, imm16 0x0"
    );

    let e = Esr(0xf200_0001);
    assert_eq!(e.ec(), ESR_ELX_EC_BRK64);
    assert_eq!(e.iss(), 1);
    assert_eq!(
        show(0xf200_0001),
        "ESR 0xf2000001: EC 0x3c BRK, comment 0x1"
    );

    let e = Esr(0x0200_0000);
    assert_eq!(e.ec(), ESR_ELX_EC_UNKNOWN);
    assert!(e.il() && e.abort().is_none());
    assert_eq!(
        show(0x0200_0000),
        "ESR 0x02000000: EC 0x00 unknown reason (undefined instruction?)"
    );
}

#[test]
fn alignment_and_flags() {
    let a = Esr(0x9600_0021).abort().unwrap();
    assert_eq!(
        (a.kind, a.level, a.write),
        (FaultKind::Alignment, None, false)
    );
    assert!(show(0x9600_0021).ends_with("; alignment fault; read"));

    // DC CIVAC faulting: CM and WnR both set, but it is not a write.
    let e = Esr(0x9600_0147);
    assert!(e.abort().unwrap().cm && e.abort().unwrap().write && !e.fault_is_write());
    assert!(show(0x9600_0147).ends_with("; write; cache maintenance"));

    // External abort with FnV: FAR not valid.
    let e = Esr(0x9600_0410);
    let a = e.abort().unwrap();
    assert_eq!((a.kind, a.far_valid), (FaultKind::SyncExternal, false));
    assert!(show(0x9600_0410).ends_with("FAR not valid"));

    // ISV: a 4-byte store through w3 (SAS = 2, SRT = 3).
    assert!(show(0x9383_0045).ends_with("; write of 4 bytes via x3"));
}

#[test]
fn fsc_table() {
    assert_eq!(decode_fsc(0x02), (FaultKind::AddressSize, Some(2)));
    assert_eq!(decode_fsc(0x0b), (FaultKind::AccessFlag, Some(3)));
    assert_eq!(decode_fsc(0x15), (FaultKind::SyncExternalOnWalk, Some(1)));
    assert_eq!(decode_fsc(0x1f), (FaultKind::SyncParityOnWalk, Some(3)));
    assert_eq!(decode_fsc(0x30), (FaultKind::TlbConflict, None));
    assert_eq!(decode_fsc(0x3f), (FaultKind::Unknown, None));
    assert!(show(0x9600_003f).contains("unknown fault status code 0x3f"));
}

#[test]
fn other_classes() {
    // mrs x0, midr_el1 trapped: Op0=3 Op2=0 Op1=0 CRn=0 Rt=0 CRm=0, read.
    assert_eq!(
        show(0x6230_0001),
        "ESR 0x62300001: EC 0x18 trapped MSR/MRS/system instruction, mrs x0, S3_0_C0_C0_0"
    );
    assert!(show(0x0600_0001).ends_with("trapped WFI/WFE, WFE"));
    assert!(show(0x3a00_0000).ends_with("illegal execution state"));
    assert!(show(0xbe00_0000).ends_with("SError interrupt"));
    assert!(show(0x0a00_0000).contains("reserved exception class"));
    // BREAKPT_LOW says "lower EL" in its class.
    assert!(Esr(0xc200_0000).is_from_lower_el());

    // Every value decodes without panicking.
    for ec in 0..64u64 {
        let _ = show((ec << 26) | (1 << 25) | 0x1ff_ffff);
    }
}
