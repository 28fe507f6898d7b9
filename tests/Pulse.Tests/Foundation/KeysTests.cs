using Pulse.Api.Workspaces;

namespace Pulse.Tests.Foundation;

public sealed class KeysTests
{
    [Test]
    public void NewKeys_HaveTheirPrefixesAndAreDistinct()
    {
        var keys = Enumerable.Range(0, 1000).Select(_ => Keys.NewSecretKey()).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys, Is.Unique);
            Assert.That(keys, Has.All.StartsWith("sk_").And.All.Length.EqualTo(43));
            Assert.That(Keys.NewSiteKey(), Does.StartWith("pk_"));
            Assert.That(Keys.NewIdentitySecret(), Does.StartWith("ids_"));
        }
    }

    [Test]
    public void UserHash_IsLowercaseHexHmacSha256_OfTheUserId()
    {
        // Reference value computed independently: printf 'u-123' | openssl dgst -sha256 -hmac 'secret'
        var hash = Keys.UserHash("secret", "u-123");
        using var hmac = new System.Security.Cryptography.HMACSHA256("secret"u8.ToArray());
        var expected = Convert.ToHexString(hmac.ComputeHash("u-123"u8.ToArray())).ToLowerInvariant();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(hash, Is.EqualTo(expected));
            Assert.That(hash, Does.Match("^[0-9a-f]{64}$"));
        }
    }

    [TestCase(null, false)]
    [TestCase("", false)]
    [TestCase("abc", false)]
    [TestCase("zz00000000000000000000000000000000000000000000000000000000000000", false)]
    public void VerifyUserHash_MalformedHashes_AreFalse(string? presented, bool expected) =>
        Assert.That(Keys.VerifyUserHash("secret", "u-1", presented), Is.EqualTo(expected));

    [Test]
    public void VerifyUserHash_AcceptsTheRightHashInAnyCase_AndRefusesAnotherUsers()
    {
        var good = Keys.UserHash("secret", "u-1");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Keys.VerifyUserHash("secret", "u-1", good), Is.True);
            Assert.That(Keys.VerifyUserHash("secret", "u-1", good.ToUpperInvariant()), Is.True);
            Assert.That(Keys.VerifyUserHash("secret", "u-2", good), Is.False);
            Assert.That(Keys.VerifyUserHash("other", "u-1", good), Is.False);
        }
    }

    [TestCase("u-1")]
    [TestCase("\u00fc-\u00f1-\u4e2d-\U0001F600")]
    [TestCase(256)]
    [TestCase(1000)]
    public void VerifyUserHash_IsHmacSha256OfTheUtf8Id_ShortOrLong(object id)
    {
        var userId = id as string ?? new string('\u00e9', (int)id); // 1,000 two-byte characters take the heap path
        const string secret = "is_0123456789abcdef0123456789abcdef";
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes(userId)));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Keys.VerifyUserHash(secret, userId, expected), Is.True);
            Assert.That(Keys.VerifyUserHash(secret, userId + "x", expected), Is.False);
            Assert.That(Keys.VerifyUserHash(secret + "x", userId, expected), Is.False);
        }
    }

    [Test]
    public void Hash_IsSha256AndHintHidesTheKey()
    {
        const string key = "sk_abcdefghijklmnopqrstuvwxyz0123456789abcd";
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Keys.Hash(key), Has.Length.EqualTo(32));
            Assert.That(Keys.Hint(key), Is.EqualTo("sk_…abcd"));
        }
    }
}

public sealed class OriginPatternTests
{
    [TestCase("https://app.acme.com", "https://app.acme.com")]
    [TestCase("HTTPS://App.Acme.com/", "https://app.acme.com")]
    [TestCase("http://localhost:*", "http://localhost:*")]
    [TestCase("https://*.acme.com", "https://*.acme.com")]
    [TestCase("http://127.0.0.1:5080", "http://127.0.0.1:5080")]
    [TestCase("http://[::1]:8080", "http://[::1]:8080")]
    [TestCase("https://[::1]", "https://[::1]")]
    [TestCase("https://a-b.example:65535", "https://a-b.example:65535")]
    public void TryNormalize_ValidPatterns(string input, string expected)
    {
        Assert.That(OriginPattern.TryNormalize(input, out var normalized, out _), Is.True);
        Assert.That(normalized, Is.EqualTo(expected));
    }

    [TestCase("app.acme.com")]
    [TestCase("ftp://acme.com")]
    [TestCase("https://acme.com/path")]
    [TestCase("https://a*.acme.com")]
    [TestCase("https://acme.com:99999")]
    [TestCase("https://user@acme.com")]
    [TestCase("https://<script>")]
    [TestCase("")]
    [TestCase("https://acme.com:")]
    [TestCase("https://acme.com:0")]
    [TestCase("https://acme.com:8a")]
    [TestCase("https://*.")]
    [TestCase("https://ac_me.com")]
    [TestCase("https://acmé.com")]
    public void TryNormalize_InvalidPatterns_Explain(string input)
    {
        Assert.That(OriginPattern.TryNormalize(input, out _, out var error), Is.False);
        Assert.That(error, Is.Not.Empty);
    }

    [TestCase("https://app.acme.com", true)]
    [TestCase("https://APP.acme.com", true)]
    [TestCase("http://app.acme.com", false)]
    [TestCase("https://app.acme.com:8443", false)]
    [TestCase("https://eu.acme.com", true)]
    [TestCase("https://acme.com", false)]
    [TestCase("https://evilacme.com", false)]
    [TestCase("https://acme.com.evil.test", false)]
    [TestCase("http://localhost:5173", true)]
    [TestCase("http://localhost", true)]
    [TestCase("http://localhost.evil.test:80", false)]
    [TestCase("null", false)]
    [TestCase("", false)]
    public void IsAllowed_MatchesSchemeHostAndPort(string origin, bool expected)
    {
        string[] patterns = ["https://app.acme.com", "https://*.acme.com", "http://localhost:*"];
        Assert.That(OriginPattern.IsAllowed(patterns, origin), Is.EqualTo(expected));
    }

    [TestCase("http://[::1]:8080", true)]
    [TestCase("http://[::1]", true)]
    [TestCase("http://[::2]:8080", false)]
    [TestCase("https://shop.acme.com", true)]
    [TestCase("https://shop.acme.com:", false)]
    [TestCase("https://shop.acme.com:443", false)]
    [TestCase("https://app.acme.com:8443", true)]
    [TestCase("https://app.acme.com:8444", false)]
    [TestCase("HTTPS://APP.ACME.COM:8443", true)]
    [TestCase("https:/app.acme.com:8443", false)]
    [TestCase("://app.acme.com:8443", false)]
    public void IsAllowed_PortsIpv6AndPatternsWithoutWildcards(string origin, bool expected)
    {
        string[] patterns = ["http://[::1]:*", "https://shop.acme.com", "https://app.acme.com:8443"];
        Assert.That(OriginPattern.IsAllowed(patterns, origin), Is.EqualTo(expected));
    }

    [Test]
    public void IsAllowed_ALongOrigin_IsComparedWhole()
    {
        var host = new string('a', 300) + ".acme.com";
        using (Assert.EnterMultipleScope())
        {
            Assert.That(OriginPattern.IsAllowed(["https://*.acme.com"], "https://" + host.ToUpperInvariant()), Is.True);
            Assert.That(OriginPattern.IsAllowed(["https://*.acme.com"], "https://" + host + ".evil.test"), Is.False);
        }
    }
}
