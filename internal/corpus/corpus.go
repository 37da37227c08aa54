// Package corpus makes deterministic chat text for benchmarks: a
// vocabulary of 20,000 made-up words (French-like syllables, accents
// included) and message bodies of 3 to 17 words drawn from it with a Zipf
// distribution, as words are in real chats; and a Zipf choice among 500
// conversations.
package corpus

import "math/rand"

// VocabSize is how many words the vocabulary has.
const VocabSize = 20000

// Corpus is one deterministic stream of text.
type Corpus struct {
	// Vocab is the vocabulary, the most used words first.
	Vocab []string
	// Rand is the stream's random source, for what else a benchmark
	// draws (directions, ids).
	Rand *rand.Rand
	word *rand.Zipf
	peer *rand.Zipf
}

// New makes the corpus of seed.
func New(seed int64) *Corpus {
	rng := rand.New(rand.NewSource(seed))
	syl := []string{"ba", "be", "bi", "bo", "ca", "ce", "ci", "co", "da", "de", "di", "do", "fa", "fe", "la", "le",
		"li", "lo", "ma", "me", "mi", "mo", "na", "ne", "ni", "no", "pa", "pe", "ra", "re", "ri", "ro", "sa", "se",
		"si", "so", "ta", "te", "ti", "to", "va", "vé", "zè", "ou", "an", "on", "in", "ê", "tr", "st"}
	seen := map[string]bool{}
	var vocab []string
	for len(vocab) < VocabSize {
		n := 1 + rng.Intn(4)
		w := ""
		for i := 0; i < n; i++ {
			w += syl[rng.Intn(len(syl))]
		}
		if !seen[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	return &Corpus{
		Vocab: vocab,
		Rand:  rng,
		word:  rand.NewZipf(rng, 1.07, 2, VocabSize-1),
		peer:  rand.NewZipf(rng, 1.2, 1, 499),
	}
}

// Body is the next message body.
func (c *Corpus) Body() string {
	n := 3 + c.Rand.Intn(15)
	b := make([]byte, 0, 8*n)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, c.Vocab[c.word.Uint64()]...)
	}
	return string(b)
}

// Peer is the next conversation, 0 to 499, the first ones the busiest.
func (c *Corpus) Peer() uint64 { return c.peer.Uint64() }
