package sls

import (
	"fmt"
	"math/big"
	"strings"
)

// shardRange is the MD5 hash-key range [begin, end) a shard owns, as
// 32-digit lower-case hex, split evenly like a freshly created logstore.
type shardRange struct {
	ID         int
	BeginKey   string
	EndKey     string
	CreateTime int64
}

func shardRanges(n int, created int64) []shardRange {
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	out := make([]shardRange, n)
	for i := 0; i < n; i++ {
		begin := new(big.Int).Div(new(big.Int).Mul(space, big.NewInt(int64(i))), big.NewInt(int64(n)))
		end := new(big.Int).Div(new(big.Int).Mul(space, big.NewInt(int64(i+1))), big.NewInt(int64(n)))
		endHex := fmt.Sprintf("%032x", end)
		if i == n-1 {
			endHex = "ffffffffffffffffffffffffffffffff"
		}
		out[i] = shardRange{ID: i, BeginKey: fmt.Sprintf("%032x", begin), EndKey: endHex, CreateTime: created}
	}
	return out
}

// shardForKey routes a hash key (hex MD5, as the producer sends) to the
// shard whose range holds it; keys are compared as 32-digit hex strings.
func shardForKey(ranges []shardRange, key string) int {
	k := strings.ToLower(key)
	if len(k) < 32 {
		k += strings.Repeat("0", 32-len(k))
	}
	k = k[:32]
	for _, r := range ranges {
		if k >= r.BeginKey && (k < r.EndKey || r.ID == len(ranges)-1) {
			return r.ID
		}
	}
	return 0
}

func (s *Server) handleListShards(req *request) *apiError {
	info, err := s.getLogstore(req.r.Context(), req.project, req.logstore)
	if err != nil {
		return errInternal(err)
	}
	out := []map[string]any{}
	for _, r := range shardRanges(info.Shards, info.Created) {
		out = append(out, map[string]any{
			"shardID":           r.ID,
			"status":            "readwrite",
			"inclusiveBeginKey": r.BeginKey,
			"exclusiveEndKey":   r.EndKey,
			"createTime":        r.CreateTime,
		})
	}
	writeJSON(req.w, out)
	return nil
}
