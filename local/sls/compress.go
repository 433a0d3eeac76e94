package sls

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

var (
	zstdEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest))
	zstdDecoder, _ = zstd.NewReader(nil)
)

// decodeBody undoes x-log-compresstype and checks x-log-bodyrawsize.
func decodeBody(h http.Header, body []byte) ([]byte, *apiError) {
	rawSizeHeader := h.Get("x-log-bodyrawsize")
	if rawSizeHeader == "" {
		return nil, newAPIError(http.StatusBadRequest, codeMissingBodyRawSize,
			"x-log-bodyrawsize does not exist in header when it is necessary")
	}
	rawSize, err := strconv.Atoi(rawSizeHeader)
	if err != nil || rawSize < 0 {
		return nil, newAPIError(http.StatusBadRequest, codeInvalidBodyRawSize, "x-log-bodyrawsize is invalid")
	}
	if rawSize > maxBodyBytes {
		return nil, newAPIError(http.StatusRequestEntityTooLarge, codePostBodyTooLarge,
			"raw body size %d must little than %d", rawSize, maxBodyBytes)
	}
	var out []byte
	switch ct := strings.ToLower(h.Get("x-log-compresstype")); ct {
	case "":
		out = body
	case "lz4":
		out = make([]byte, rawSize)
		n, err := lz4.UncompressBlock(body, out)
		if err != nil {
			return nil, newAPIError(http.StatusBadRequest, codePostBodyUncompress, "lz4 uncompress failed: %v", err)
		}
		out = out[:n]
	case "zstd":
		out, err = zstdDecoder.DecodeAll(body, make([]byte, 0, rawSize))
		if err != nil {
			return nil, newAPIError(http.StatusBadRequest, codePostBodyUncompress, "zstd uncompress failed: %v", err)
		}
	case "deflate":
		zr, err := zlib.NewReader(bytes.NewReader(body))
		if err == nil {
			out, err = io.ReadAll(io.LimitReader(zr, maxBodyBytes+1))
		}
		if err != nil {
			return nil, newAPIError(http.StatusBadRequest, codePostBodyUncompress, "deflate uncompress failed: %v", err)
		}
	default:
		return nil, newAPIError(http.StatusBadRequest, codeInvalidCompressType, "x-log-compresstype %s is unsupported", ct)
	}
	if len(out) != rawSize {
		return nil, newAPIError(http.StatusBadRequest, codeInvalidBodyRawSize,
			"x-log-bodyrawsize %d does not match the uncompressed size %d", rawSize, len(out))
	}
	return out, nil
}

// encodeForAccept compresses a response body the way the SDK asked in
// Accept-Encoding (lz4 raw block or zstd); ok=false means send it plain.
func encodeForAccept(acceptEncoding string, raw []byte) (out []byte, compressType string, err error) {
	switch {
	case strings.Contains(acceptEncoding, "lz4"):
		buf := make([]byte, lz4.CompressBlockBound(len(raw)))
		var c lz4.Compressor
		n, err := c.CompressBlock(raw, buf)
		if err != nil {
			return nil, "", fmt.Errorf("sls: lz4 compress: %w", err)
		}
		if n == 0 { // incompressible: the SDK still expects an lz4 block
			return lz4Literal(raw), "lz4", nil
		}
		return buf[:n], "lz4", nil
	case strings.Contains(acceptEncoding, "zstd"):
		return zstdEncoder.EncodeAll(raw, nil), "zstd", nil
	}
	return raw, "", nil
}

// lz4Literal encodes data as one lz4 block made of a single literal run.
func lz4Literal(src []byte) []byte {
	out := []byte{}
	n := len(src)
	if n < 15 {
		out = append(out, byte(n<<4))
	} else {
		out = append(out, 0xF0)
		rest := n - 15
		for ; rest >= 255; rest -= 255 {
			out = append(out, 255)
		}
		out = append(out, byte(rest))
	}
	return append(out, src...)
}

// writeEncoded sends raw compressed per Accept-Encoding with the
// x-log-bodyrawsize/x-log-compresstype headers the SDK decodes with.
func writeEncoded(w http.ResponseWriter, acceptEncoding, contentType string, raw []byte) error {
	out, ct, err := encodeForAccept(acceptEncoding, raw)
	if err != nil {
		return err
	}
	if ct != "" {
		w.Header().Set("x-log-compresstype", ct)
		w.Header().Set("x-log-bodyrawsize", strconv.Itoa(len(raw)))
	}
	return writeBody(w, http.StatusOK, contentType, out)
}
