using System.IO.Compression;
using System.Net;
using System.Text;
using Pulse.Api.Widget;
using Pulse.Tests.Support;

namespace Pulse.Tests.Widget;

public sealed class WidgetServingTests
{
    PulseFactory _app = null!;
    HttpClient _http = null!;
    WidgetAssets _assets = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory();
        _http = _app.CreateClient();
        _assets = _app.Services.GetRequiredService<WidgetAssets>();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _app.Dispose();
    }

    async Task<HttpResponseMessage> Get(string path, string? acceptEncoding = null, string? ifNoneMatch = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (acceptEncoding is not null)
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        if (ifNoneMatch is not null)
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return await _http.SendAsync(request);
    }

    static string Decode(byte[] body, string? encoding)
    {
        using var input = new MemoryStream(body);
        using Stream stream = encoding switch
        {
            "br" => new BrotliStream(input, CompressionMode.Decompress),
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            null => input,
            _ => throw new AssertionException($"unexpected Content-Encoding {encoding}"),
        };
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [TestCase("br, gzip, deflate", "br")]
    [TestCase("gzip, deflate, br, zstd", "br")]
    [TestCase("gzip", "gzip")]
    [TestCase("GZip;q=0.5", "gzip")]
    [TestCase("br;q=0, gzip", "gzip")]
    [TestCase("identity", null)]
    [TestCase(null, null)]
    public async Task Script_IsServedPrecompressed_WithTheRightHeaders(string? acceptEncoding, string? expectedEncoding)
    {
        var response = await Get("/widget/v1/pulse.js", acceptEncoding);
        var body = await response.Content.ReadAsByteArrayAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo("text/javascript; charset=utf-8"));
            Assert.That(response.Content.Headers.ContentEncoding.SingleOrDefault(), Is.EqualTo(expectedEncoding));
            Assert.That(response.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }));
            Assert.That(response.Headers.GetValues("Access-Control-Allow-Origin"), Is.EqualTo(new[] { "*" }));
            Assert.That(response.Headers.Vary, Does.Contain("Accept-Encoding"));
            Assert.That(response.Headers.CacheControl?.Public, Is.True);
            Assert.That(response.Headers.CacheControl?.MaxAge, Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(response.Headers.ETag?.Tag, Is.EqualTo(_assets.Script.ETag));
            Assert.That(Decode(body, expectedEncoding), Is.EqualTo(Encoding.UTF8.GetString(_assets.Script.Bytes)));
        }
    }

    [TestCase(null)]
    [TestCase("W/")]
    public async Task Script_WithCurrentETag_Answers304WithoutBody(string? weakPrefix)
    {
        var response = await Get("/widget/v1/pulse.js", "gzip", weakPrefix + _assets.Script.ETag);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
            Assert.That(response.Headers.ETag?.Tag, Is.EqualTo(_assets.Script.ETag));
            Assert.That(response.Headers.CacheControl?.MaxAge, Is.EqualTo(TimeSpan.FromMinutes(5)));
        }
    }

    [Test]
    public async Task Script_WithStaleETag_AnswersTheNewScript()
    {
        var response = await Get("/widget/v1/pulse.js", "gzip", "\"0123456789ab\"");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(_assets.Script.Gzip));
    }

    [Test]
    public async Task FingerprintedScript_IsImmutable_AndTheSameBytes()
    {
        var response = await Get(_assets.FingerprintedPath, "br");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.CacheControl?.ToString(), Is.EqualTo("public, max-age=31536000, immutable"));
            Assert.That(response.Content.Headers.ContentEncoding.Single(), Is.EqualTo("br"));
            Assert.That(response.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(_assets.Script.Brotli));
        }
    }

    [Test]
    public async Task FingerprintedScript_OfAnotherVersion_Is404()
    {
        var response = await Get("/widget/v1/pulse.0123456789ab.js");
        await response.AssertProblem(404);
    }

    [Test]
    public async Task Head_AnswersHeadersWithoutBody()
    {
        var response = await Get("/widget/v1/pulse.js", "gzip", method: HttpMethod.Head);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.ETag?.Tag, Is.EqualTo(_assets.Script.ETag));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
        }
    }

    [Test]
    public async Task Manifest_NamesThePinnedUrlIntegrityAndSizes()
    {
        var manifest = await (await Get("/widget/v1/manifest.json")).ReadJson<WidgetManifest>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(manifest.PinnedScript, Is.EqualTo(_assets.FingerprintedPath));
            Assert.That(manifest.Integrity, Does.StartWith("sha384-"));
            Assert.That(manifest.GzipBytes, Is.EqualTo(_assets.Script.Gzip.Length));
            Assert.That(manifest.BrotliBytes, Is.EqualTo(_assets.Script.Brotli.Length));
        }
        var pinned = await Get(manifest.PinnedScript);
        var bytes = await pinned.Content.ReadAsByteArrayAsync();
        Assert.That("sha384-" + Convert.ToBase64String(System.Security.Cryptography.SHA384.HashData(bytes)), Is.EqualTo(manifest.Integrity));
    }

    [Test]
    public async Task SamplePage_IsNotServedOutsideDevelopment()
    {
        var response = await Get("/");
        await response.AssertProblem(404);
    }

    [Test]
    public async Task SamplePage_IsServedWhenEnabled_WithTheSnippet()
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Widget:ServeSamples"] = "true" });
        using var http = app.CreateClient();

        var response = await http.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(html, Does.Contain(LoaderStub(_assets.Loader).Replace("https://pulse.example.com/widget/v1/pulse.js", "/widget/v1/pulse.js", StringComparison.Ordinal)));
            Assert.That(html, Does.Contain(Pulse.Api.Workspaces.DemoWorkspace.SiteKey));
        }
    }

    /// <summary>The first line of widget/loader.js: the queue stub and the async script tag.</summary>
    internal static string LoaderStub(string loader) => loader.Split('\n')[0];

    [Test]
    public void Options_OutOfRange_StopTheStart()
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Widget:MaxAgeSeconds"] = "-1" });

        var error = Assert.Catch(() => _ = app.Server);
        Assert.That(error!.ToString(), Does.Contain("MaxAgeSeconds"));
    }
}
