using System.Net;
using Pulse.Api.Webhooks;

namespace Pulse.Tests.Webhooks;

/// <summary>The SSRF policy classifies addresses as data: nothing here resolves or connects.</summary>
public sealed class WebhookTargetsTests
{
    [TestCase("127.0.0.1", "loopback")]
    [TestCase("127.255.0.9", "loopback")]
    [TestCase("0.0.0.0", "unspecified")]
    [TestCase("10.1.2.3", "private")]
    [TestCase("172.16.0.1", "private")]
    [TestCase("172.31.255.255", "private")]
    [TestCase("192.168.1.1", "private")]
    [TestCase("100.64.0.1", "carrier-grade NAT")]
    [TestCase("100.127.255.254", "carrier-grade NAT")]
    [TestCase("169.254.169.254", "link-local")]
    [TestCase("224.0.0.251", "multicast")]
    [TestCase("239.255.255.250", "multicast")]
    [TestCase("255.255.255.255", "broadcast")]
    [TestCase("240.0.0.1", "reserved")]
    [TestCase("192.0.2.10", "documentation")]
    [TestCase("198.51.100.7", "documentation")]
    [TestCase("203.0.113.5", "documentation")]
    [TestCase("198.18.0.1", "benchmarking")]
    [TestCase("192.0.0.8", "IETF")]
    [TestCase("::", "unspecified")]
    [TestCase("::1", "loopback")]
    [TestCase("::ffff:127.0.0.1", "IPv4-mapped IPv6 address of a loopback")]
    [TestCase("::ffff:10.0.0.1", "IPv4-mapped IPv6 address of a private")]
    [TestCase("::ffff:169.254.169.254", "link-local")]
    [TestCase("::127.0.0.1", "IPv4-compatible")]
    [TestCase("64:ff9b::7f00:1", "NAT64 address of a loopback")]
    [TestCase("64:ff9b:1::1", "local-use NAT64")]
    [TestCase("fc00::1", "unique local")]
    [TestCase("fd12:3456:789a::1", "unique local")]
    [TestCase("fe80::1", "link-local")]
    [TestCase("fec0::1", "site-local")]
    [TestCase("ff02::1", "multicast")]
    [TestCase("100::1", "reserved")]
    [TestCase("2001:db8::1", "documentation")]
    [TestCase("3fff::1", "documentation")]
    [TestCase("2001::1", "Teredo")]
    [TestCase("2002:7f00:1::1", "6to4 address of a loopback")]
    [TestCase("2002:c0a8:101::1", "6to4 address of a private")]
    public void Refusal_NonPublicAddress_IsRefusedWithTheReason(string address, string reason) =>
        Assert.That(WebhookTargets.Refusal(IPAddress.Parse(address)), Does.Contain(reason));

    [TestCase("8.8.8.8")]
    [TestCase("1.1.1.1")]
    [TestCase("100.63.255.255")] // just below 100.64.0.0/10
    [TestCase("100.128.0.1")]    // just above it
    [TestCase("172.15.255.255")]
    [TestCase("172.32.0.1")]
    [TestCase("11.0.0.1")]
    [TestCase("2606:4700:4700::1111")]
    [TestCase("2a00:1450:4001::200e")]
    [TestCase("::ffff:8.8.8.8")]
    [TestCase("64:ff9b::808:808")]
    [TestCase("2002:808:808::1")]
    public void Refusal_PublicAddress_IsAllowed(string address) =>
        Assert.That(WebhookTargets.Refusal(IPAddress.Parse(address)), Is.Null);

    [TestCase("http://hooks.acme.test/x", false, "must use https")]
    [TestCase("ftp://hooks.acme.test/x", true, "must use https")]
    [TestCase("hooks.acme.test/x", false, "not an absolute URL")]
    [TestCase("/relative", false, "not an absolute URL")]
    [TestCase("https://user:pass@hooks.acme.test/x", false, "credentials")]
    [TestCase("https://hooks.acme.test/x#frag", false, "fragment")]
    [TestCase("", false, "required")]
    [TestCase("file:///etc/passwd", true, "not an absolute URL")]
    public void TryParseUrl_BadUrl_ExplainsWhy(string url, bool allowInsecure, string reason)
    {
        var ok = WebhookTargets.TryParseUrl(url, allowInsecure, out _, out var error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(error, Does.Contain(reason));
        }
    }

    [TestCase("https://hooks.acme.test/pulse?token=1", false)]
    [TestCase("http://127.0.0.1:5000/hook", true)]
    public void TryParseUrl_GoodUrl_Parses(string url, bool allowInsecure)
    {
        var ok = WebhookTargets.TryParseUrl(url, allowInsecure, out var uri, out var error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.True, error);
            Assert.That(uri.AbsoluteUri, Is.EqualTo(url));
        }
    }
}
