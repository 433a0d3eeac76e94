package dysms

import (
	"sort"
	"strconv"
	"time"
)

const maxQueryPageSize = 50

// querySendDetails is QuerySendDetails: the messages sent to one number on
// one day (Beijing time), newest first, optionally narrowed to one BizId.
func (s *Server) querySendDetails(c *call) *answer {
	p := c.params
	for _, name := range []string{"PhoneNumber", "SendDate", "PageSize", "CurrentPage"} {
		if p.Get(name) == "" {
			return &answer{gw: errMissing(name)}
		}
	}
	phone, ok := normalisePhone(p.Get("PhoneNumber"))
	if !ok {
		return &answer{refusal: refuse(codeMobileIllegal)}
	}
	day, err := time.ParseInLocation("20060102", p.Get("SendDate"), chinaTime)
	pageSize, errSize := strconv.Atoi(p.Get("PageSize"))
	page, errPage := strconv.Atoi(p.Get("CurrentPage"))
	if err != nil || errSize != nil || errPage != nil || pageSize < 1 || pageSize > maxQueryPageSize || page < 1 {
		return &answer{refusal: refuse(codeInvalidParameters)}
	}
	matches := s.sentTo(phone, day, p.Get("BizId"))
	dtos := []map[string]any{}
	for i := (page - 1) * pageSize; i < len(matches) && i < page*pageSize; i++ {
		dtos = append(dtos, detailDTO(matches[i]))
	}
	return &answer{body: map[string]any{
		"RequestId":         c.requestID,
		"Code":              codeOK,
		"Message":           businessMessages[codeOK],
		"TotalCount":        len(matches),
		"SmsSendDetailDTOs": map[string]any{"SmsSendDetailDTO": dtos},
	}}
}

func (s *Server) sentTo(phone string, day time.Time, bizID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		y, mo, d := m.AcceptedAt.In(chinaTime).Date()
		if m.Phone != phone || !time.Date(y, mo, d, 0, 0, 0, 0, chinaTime).Equal(day) {
			continue
		}
		if bizID != "" && m.BizID != bizID {
			continue
		}
		out = append(out, m.clone())
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].AcceptedAt.After(out[j].AcceptedAt) })
	return out
}

// detailDTO is one SmsSendDetailDTO, dates in Beijing time as Alibaba
// writes them.
func detailDTO(m Message) map[string]any {
	const layout = "2006-01-02 15:04:05"
	dto := map[string]any{
		"PhoneNum":     m.Phone,
		"SendStatus":   int(m.Status),
		"ErrCode":      m.ErrCode,
		"TemplateCode": m.TemplateCode,
		"Content":      m.Content,
		"SendDate":     m.AcceptedAt.In(chinaTime).Format(layout),
		"ReceiveDate":  "",
		"OutId":        m.OutID,
	}
	if !m.ReceivedAt.IsZero() {
		dto["ReceiveDate"] = m.ReceivedAt.In(chinaTime).Format(layout)
	}
	return dto
}
