package sls

import (
	"net/http"
	"strconv"
)

// maxHistogramBuckets bounds the answer when no interval is given, like the
// console's ~60 bars.
const maxHistogramBuckets = 60

// handleGetHistograms answers GET /logstores/{ls}?type=histogram: counts of
// the logs matching the search part, per interval over [from, to).
func (s *Server) handleGetHistograms(req *request) *apiError {
	q := req.r.URL.Query()
	from, err1 := strconv.ParseInt(q.Get("from"), 10, 64)
	to, err2 := strconv.ParseInt(q.Get("to"), 10, 64)
	if err1 != nil || err2 != nil || from >= to {
		return newAPIError(http.StatusBadRequest, codeInvalidTimeRange, "request time range is invalid")
	}
	interval, _ := strconv.ParseInt(q.Get("interval"), 10, 64)
	if interval <= 0 {
		interval = max(1, (to-from+maxHistogramBuckets-1)/maxHistogramBuckets)
	}
	ctx := req.r.Context()
	_, idx, err := s.currentIndexVersion(ctx, req.project, req.logstore)
	if err != nil {
		return errInternal(err)
	}
	if idx == nil {
		return newAPIError(http.StatusBadRequest, codeIndexConfigNotExist, "logstore without index config")
	}
	search, _ := splitQuery(q.Get("query"))
	tree, err := parseSearch(search)
	if err != nil {
		return errQuery("invalid query: %v", err)
	}
	recs, _, err := s.loadMatching(ctx, req.project, req.logstore,
		getLogsRequest{From: from, To: to, Topic: q.Get("topic")}, tree)
	if err != nil {
		return errInternal(err)
	}
	type bucket struct {
		From     int64  `json:"from"`
		To       int64  `json:"to"`
		Count    int64  `json:"count"`
		Progress string `json:"progress"`
	}
	buckets := []bucket{}
	for start := from; start < to; start += interval {
		buckets = append(buckets, bucket{From: start, To: min(start+interval, to), Progress: "Complete"})
	}
	for _, rec := range recs {
		buckets[(rec.time-from)/interval].Count++
	}
	req.w.Header().Set("x-log-progress", "Complete")
	req.w.Header().Set("x-log-count", strconv.Itoa(len(recs)))
	writeJSON(req.w, buckets)
	return nil
}
