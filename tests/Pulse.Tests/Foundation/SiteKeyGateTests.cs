using Microsoft.AspNetCore.Http;
using Pulse.Api.Operations;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

public sealed class SiteKeyGateTests
{
    PulseFactory _app = null!;
    CreatedWorkspace _strict = null!;
    CreatedWorkspace _open = null!;
    SiteKeyGate _gate = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory();
        _ = _app.Server;
        _strict = _app.CreateWorkspace("Strict", ["https://app.acme.test"], requireUserHash: true);
        _open = _app.CreateWorkspace("Open", ["https://app.open.test"], requireUserHash: false);
        _gate = _app.Services.GetRequiredService<SiteKeyGate>();
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    static HttpRequest Request(string? origin)
    {
        var context = new DefaultHttpContext();
        if (origin is not null)
            context.Request.Headers.Origin = origin;
        return context.Request;
    }

    [Test]
    public void AllowedOrigin_ResolvesTheWorkspace() =>
        Assert.That(_gate.Resolve(_strict.SiteKey, Request("https://app.acme.test")).Id, Is.EqualTo(_strict.WorkspaceId));

    [Test]
    public void OtherOrigin_Is403()
    {
        var ex = Assert.Throws<ProblemException>(() => _gate.Resolve(_strict.SiteKey, Request("https://evil.test")));
        Assert.That(ex!.Status, Is.EqualTo(403));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("sk_not_a_site_key")]
    [TestCase("pk_unknown")]
    public void MissingOrUnknownSiteKey_Is401(string? siteKey)
    {
        var ex = Assert.Throws<ProblemException>(() => _gate.Resolve(siteKey, Request("https://app.acme.test")));
        Assert.That(ex!.Status, Is.EqualTo(401));
    }

    [Test]
    public void NoOrigin_IsAcceptedOnlyWhereUserHashIsRequired()
    {
        Assert.That(_gate.Resolve(_strict.SiteKey, Request(null)).Id, Is.EqualTo(_strict.WorkspaceId));
        var ex = Assert.Throws<ProblemException>(() => _gate.Resolve(_open.SiteKey, Request(null)));
        Assert.That(ex!.Status, Is.EqualTo(403));
    }
}
