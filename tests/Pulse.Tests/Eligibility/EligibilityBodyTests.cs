using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Pulse.Api.Operations;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Eligibility;

/// <summary>
/// The eligibility endpoint reads its own body (docs/decisions.md H14): whatever way the body arrives — with a
/// length, chunked, in small pieces — it is read whole, limited, and explained exactly as the framework's binding was.
/// </summary>
public sealed class EligibilityBodyTests
{
    const string Origin = "https://app.acme.test";

    PulseFactory _app = null!;
    CreatedWorkspace _ws = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory();
        _ = _app.Server;
        _ws = _app.CreateWorkspace("Bodies", [Origin], requireUserHash: false);
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    string Body(string extra = "") => $$"""{ "siteKey": "{{_ws.SiteKey}}", "user": { "id": "u-1", "traits": { "plan": "pro" } }{{extra}} }""";

    /// <summary>A body without Content-Length, handed over a few bytes at a time.</summary>
    sealed class Trickle(byte[] bytes, int piece) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var i = 0; i < bytes.Length; i += piece)
            {
                await stream.WriteAsync(bytes.AsMemory(i, Math.Min(piece, bytes.Length - i)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    async Task<HttpResponseMessage> Post(HttpContent content)
    {
        using var http = _app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/eligibility") { Content = content };
        request.Headers.Add("Origin", Origin);
        content.Headers.ContentType = new("application/json");
        return await http.SendAsync(request);
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(4096)]
    public async Task AChunkedBody_InPieces_IsReadWhole(int piece)
    {
        var response = await Post(new Trickle(Encoding.UTF8.GetBytes(Body()), piece));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"eligible\""));
    }

    [Test]
    public async Task AChunkedBody_OverTheLimit_Is413_WithLengthOrWithout()
    {
        var big = Encoding.UTF8.GetBytes(Body($", \"url\": \"https://app.acme.test/{new string('p', 17 * 1024)}\""));
        var chunked = await Post(new Trickle(big, 1000));
        await chunked.AssertProblem(413);
        var declared = await Post(new ByteArrayContent(big));
        await declared.AssertProblem(413);
    }

    [Test]
    public async Task JsonErrors_AreExplainedAsBefore()
    {
        using (Assert.EnterMultipleScope())
        {
            var duplicate = await (await Post(new StringContent(Body(", \"locale\": \"de\", \"locale\": \"fr\"")))).AssertProblem(400);
            Assert.That(duplicate.ToString(), Does.Contain("appears more than once").And.Contain("$.locale"));
            var wrong = await (await Post(new StringContent(Body(", \"force\": \"yes\"")))).AssertProblem(400);
            Assert.That(wrong.ToString(), Does.Contain("Invalid JSON at '$.force'").And.Contain("got a string"));
            var broken = await (await Post(new StringContent("{ \"siteKey\": "))).AssertProblem(400);
            Assert.That(broken.ToString(), Does.Contain("the body is not valid JSON"));
            var chunkedEmpty = await (await Post(new Trickle([], 1))).AssertProblem(400);
            Assert.That(chunkedEmpty.ToString(), Does.Contain("Send a JSON object as the body"));
        }
    }

    [Test]
    public async Task AnotherMediaType_IsStill415()
    {
        using var http = _app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/eligibility") { Content = new StringContent(Body(), Encoding.UTF8, "text/plain") };
        request.Headers.Add("Origin", Origin);
        await (await http.SendAsync(request)).AssertProblem(415);
    }

    static HttpContext Call(bool siteKeyEndpoint, string? authorization = null, string? cookie = null)
    {
        var context = new DefaultHttpContext();
        var metadata = siteKeyEndpoint ? new EndpointMetadataCollection(SiteKeyEndpoint.Instance) : new EndpointMetadataCollection();
        context.SetEndpoint(new Endpoint(_ => Task.CompletedTask, metadata, "test"));
        if (authorization is not null)
            context.Request.Headers.Authorization = authorization;
        if (cookie is not null)
            context.Request.Headers.Cookie = cookie;
        return context;
    }

    [Test]
    public void OnlyCredentialFreeSiteKeyCalls_SkipAuthentication()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(SiteKeyEndpoint.FindsNoOne(Call(siteKeyEndpoint: true)), Is.True);
            Assert.That(SiteKeyEndpoint.FindsNoOne(Call(siteKeyEndpoint: true, cookie: "theme=dark")), Is.True, "another cookie is no credential");
            Assert.That(SiteKeyEndpoint.FindsNoOne(Call(siteKeyEndpoint: true, authorization: "Bearer sk_x")), Is.False, "a server's secret key");
            Assert.That(SiteKeyEndpoint.FindsNoOne(Call(siteKeyEndpoint: true, cookie: "pulse_session=abc")), Is.False, "a member's session");
            Assert.That(SiteKeyEndpoint.FindsNoOne(Call(siteKeyEndpoint: false)), Is.False, "every other endpoint authenticates");
        }
    }
}
