using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Pulse.Tests.Support;

namespace Pulse.Tests.Widget;

/// <summary>samples/pulse.http stays in step with the API: every request names a real endpoint, every endpoint has a request.</summary>
public sealed partial class HttpSampleTests
{
    [GeneratedRegex(@"^(GET|POST|PUT|DELETE|PATCH|HEAD) \{\{pulse\}\}(\S*)", RegexOptions.Multiline)]
    private static partial Regex RequestLine();

    [GeneratedRegex(@"\{\{[^}]+\}\}")]
    private static partial Regex Variable();

    static List<(string Method, string Path)> SampleRequests()
    {
        var text = File.ReadAllText(Path.Combine(WidgetSizeTests.RepositoryRoot(), "samples", "pulse.http"));
        return RequestLine().Matches(text)
            .Select(m => (m.Groups[1].Value, Variable().Replace(m.Groups[2].Value.Split('?')[0], "x")))
            .ToList();
    }

    static List<(string Method, string Pattern, Regex Matcher)> Endpoints()
    {
        using var app = new PulseFactory();
        _ = app.Server;
        return app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Pattern: "/" + e.RoutePattern.RawText!.Trim('/')))
            .Where(e => e.Pattern.StartsWith("/v1", StringComparison.Ordinal) || e.Pattern.StartsWith("/widget", StringComparison.Ordinal)
                || e.Pattern.StartsWith("/openapi", StringComparison.Ordinal) || e.Pattern is "/healthz" or "/readyz")
            .SelectMany(e => (e.Endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => (method, e.Pattern, new Regex("^" + Regex.Replace(Regex.Escape(e.Pattern), @"\\\{[^}]+}", "[^/]+") + "$"))))
            .ToList();
    }

    /// <summary>"/v1/surveys/x" → "/v1/surveys": the feature a path belongs to.</summary>
    static string Root(string path) => string.Join('/', path.Split('/').Take(3));

    /// <summary>
    /// Requests for features this build maps (same root path, same method) must match an endpoint
    /// exactly; the file may also list endpoints whose features land separately.
    /// </summary>
    [Test]
    public void EveryRequest_ForAMappedFeature_NamesAnEndpoint()
    {
        var endpoints = Endpoints();
        var checkedRequests = SampleRequests()
            .Where(r => endpoints.Any(e => e.Method == r.Method && Root(e.Pattern) == Root(r.Path)))
            .ToList();
        var unknown = checkedRequests.Where(r => !endpoints.Any(e => e.Method == r.Method && e.Matcher.IsMatch(r.Path))).ToList();

        Assert.That(checkedRequests, Has.Count.GreaterThan(10));
        Assert.That(unknown, Is.Empty, "requests in samples/pulse.http without an endpoint");
    }

    [Test]
    public void EveryEndpoint_HasARequest()
    {
        var requests = SampleRequests();
        var missing = Endpoints().Where(e => e.Method != "HEAD" && !requests.Any(r => r.Method == e.Method && e.Matcher.IsMatch(r.Path)))
            .Select(e => $"{e.Method} {e.Pattern}").Distinct().ToList();

        Assert.That(missing, Is.Empty, "endpoints missing from samples/pulse.http");
    }
}
