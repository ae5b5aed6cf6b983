// Command go-interop checks, with the Go reference libraries, what Governor's auditor produced:
// a signed checkpoint (golang.org/x/mod/sumdb/note) and inclusion and consistency proofs
// (github.com/transparency-dev/merkle with the RFC 6962 hasher).
//
// Usage: go run . <bundle.json>
//
// The bundle holds the log origin, the verifier key, the signed checkpoint, inclusion proofs
// against that checkpoint (with the leaf bytes) and consistency proofs from earlier signed
// checkpoints to it. It exits 0 when everything verifies and 1 with a reason otherwise.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

type bundle struct {
	Origin      string        `json:"origin"`
	VerifierKey string        `json:"verifierKey"`
	Checkpoint  string        `json:"checkpoint"`
	Inclusion   []inclusion   `json:"inclusion"`
	Consistency []consistency `json:"consistency"`
}

type inclusion struct {
	LeafIndex uint64   `json:"leafIndex"`
	TreeSize  uint64   `json:"treeSize"`
	Leaf      string   `json:"leaf"`
	Proof     []string `json:"proof"`
}

type consistency struct {
	FromCheckpoint string   `json:"fromCheckpoint"`
	Proof          []string `json:"proof"`
}

type checkpoint struct {
	origin string
	size   uint64
	root   []byte
}

func main() {
	if len(os.Args) != 2 {
		fail("usage: go run . <bundle.json>")
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("reading bundle: %v", err)
	}
	var b bundle
	if err := json.Unmarshal(raw, &b); err != nil {
		fail("parsing bundle: %v", err)
	}
	verifier, err := note.NewVerifier(b.VerifierKey)
	if err != nil {
		fail("verifier key: %v", err)
	}
	verifiers := note.VerifierList(verifier)
	head := open(b.Checkpoint, b.Origin, verifiers)
	fmt.Printf("checkpoint verified: origin %s, size %d\n", head.origin, head.size)

	hasher := rfc6962.DefaultHasher
	for _, in := range b.Inclusion {
		if in.TreeSize != head.size {
			fail("inclusion proof of leaf %d is for size %d, checkpoint has %d", in.LeafIndex, in.TreeSize, head.size)
		}
		leafHash := hasher.HashLeaf(decode(in.Leaf))
		if err := proof.VerifyInclusion(hasher, in.LeafIndex, in.TreeSize, leafHash, decodeAll(in.Proof), head.root); err != nil {
			fail("inclusion proof of leaf %d: %v", in.LeafIndex, err)
		}
	}
	fmt.Printf("inclusion proofs verified: %d\n", len(b.Inclusion))

	for _, c := range b.Consistency {
		from := open(c.FromCheckpoint, b.Origin, verifiers)
		if err := proof.VerifyConsistency(hasher, from.size, head.size, decodeAll(c.Proof), from.root, head.root); err != nil {
			fail("consistency proof from size %d to %d: %v", from.size, head.size, err)
		}
	}
	fmt.Printf("consistency proofs verified: %d\n", len(b.Consistency))
	fmt.Println("OK")
}

// open verifies a signed note and parses the C2SP tlog-checkpoint it carries.
func open(signed, origin string, verifiers note.Verifiers) checkpoint {
	n, err := note.Open([]byte(signed), verifiers)
	if err != nil {
		fail("opening signed checkpoint: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 {
		fail("checkpoint has %d lines, needs at least 3", len(lines))
	}
	if lines[0] != origin {
		fail("checkpoint origin %q, expected %q", lines[0], origin)
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] {
		fail("checkpoint size %q is not a canonical decimal", lines[1])
	}
	root := decode(lines[2])
	if len(root) != 32 || !bytes.Equal([]byte(base64.StdEncoding.EncodeToString(root)), []byte(lines[2])) {
		fail("checkpoint root %q is not base64 of 32 bytes", lines[2])
	}
	return checkpoint{origin: lines[0], size: size, root: root}
}

func decode(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		fail("bad base64 %q: %v", s, err)
	}
	return b
}

func decodeAll(ss []string) [][]byte {
	out := make([][]byte, 0, len(ss))
	for _, s := range ss {
		out = append(out, decode(s))
	}
	return out
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}
