package dysms

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// newRequestID answers an upper-case UUID-shaped id, as Alibaba's gateway
// does (F655A8D5-B967-440B-8683-DAD6FF8DE990).
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := strings.ToUpper(hex.EncodeToString(b[:]))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newBizID answers an 18-digit id with Alibaba's "^0" suffix
// (900619746936498440^0). The leading digits follow the clock so ids sort
// roughly by send time, as Alibaba's appear to; the rest is random.
func newBizID(now time.Time) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000_000))
	lead := 100_000_000 + now.Unix()%900_000_000
	return fmt.Sprintf("%09d%09d^0", lead, n.Int64())
}
