// Package auditchain is the cryptography of the tamper-evident audit (issue 14,
// docs/audit.md): the canonical serialisation of an audit event, the chained hash over it,
// the Ed25519 keys of the installation and the signed checkpoints. It reads no database;
// the sealer and the verifier (service/audit_chain.go) feed it rows.
package auditchain
