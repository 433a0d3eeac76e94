package dysms

import (
	"net/url"
	"testing"
)

// Alibaba's own worked example for RPC signatures (the ECS DescribeRegions
// request in the "request signature" documentation, AccessKey testid /
// testsecret).
// conformance: DY-04
func TestRPCSignatureMatchesAlibabaDocumentedExample(t *testing.T) {
	p := url.Values{}
	p.Set("AccessKeyId", "testid")
	p.Set("Action", "DescribeRegions")
	p.Set("Format", "XML")
	p.Set("SignatureMethod", "HMAC-SHA1")
	p.Set("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf")
	p.Set("SignatureVersion", "1.0")
	p.Set("Timestamp", "2016-02-23T12:46:24Z")
	p.Set("Version", "2014-05-26")
	const wantString = "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML" +
		"%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" +
		"%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
	sts := rpcStringToSign("GET", p)
	if sts != wantString {
		t.Fatalf("string to sign:\n got %s\nwant %s", sts, wantString)
	}
	if got, want := rpcSignature("testsecret", sts), "OLeaidS1JvxuMvnyHOwuJ+uX5qY="; got != want {
		t.Fatalf("signature = %s, want %s", got, want)
	}
}

// Dysmsapi's own documented SendSms example (AccessKey testId/testSecret).
// conformance: DY-04
func TestRPCSignatureMatchesDysmsDocumentedExample(t *testing.T) {
	p := url.Values{}
	for k, v := range map[string]string{
		"AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
		"PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用",
		"SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
		"SignatureVersion": "1.0", "TemplateCode": "SMS_71390007", "TemplateParam": `{"customer":"test"}`,
		"Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
	} {
		p.Set(k, v)
	}
	if got, want := rpcSignature("testSecret", rpcStringToSign("GET", p)), "zJDF+Lrzhj/ThnlvIToysFRq6t4="; got != want {
		t.Fatalf("signature = %s, want %s", got, want)
	}
}
