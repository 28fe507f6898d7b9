using Microsoft.AspNetCore.Http;
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

    /// <summary>The workspace's id when the gate lets the call through, else the status of the problem it answers.</summary>
    object Resolve(string? siteKey, HttpRequest request) =>
        _gate.TryResolve(siteKey, request, out var workspace, out var problem) ? workspace.Id : problem.StatusCode;

    [Test]
    public void AllowedOrigin_ResolvesTheWorkspace() =>
        Assert.That(Resolve(_strict.SiteKey, Request("https://app.acme.test")), Is.EqualTo(_strict.WorkspaceId));

    [Test]
    public void OtherOrigin_Is403() => Assert.That(Resolve(_strict.SiteKey, Request("https://evil.test")), Is.EqualTo(403));

    [TestCase(null)]
    [TestCase("")]
    [TestCase("sk_not_a_site_key")]
    [TestCase("pk_unknown")]
    public void MissingOrUnknownSiteKey_Is401(string? siteKey) =>
        Assert.That(Resolve(siteKey, Request("https://app.acme.test")), Is.EqualTo(401));

    [Test]
    public void NoOrigin_IsAcceptedOnlyWhereUserHashIsRequired()
    {
        Assert.That(Resolve(_strict.SiteKey, Request(null)), Is.EqualTo(_strict.WorkspaceId));
        Assert.That(Resolve(_open.SiteKey, Request(null)), Is.EqualTo(403));
    }
}
