using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Pulse.Api.Dashboard;
using Pulse.Api.Webhooks;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Docs;

/// <summary>
/// Every curl example of the README and docs/api.md, run with bash and curl, in the order of the
/// doc, against a real server on loopback with the demo workspace and its seeded year of data
/// (ending today), as a new user would. Each must answer what the doc says: the status of its
/// result comment (else a 2xx), the fields the doc shows, and no empty list or zero count unless
/// the block is marked <c>&lt;!-- example: may be empty (why) --&gt;</c>. Blocks marked
/// <c>&lt;!-- example: skip (why) --&gt;</c> are not run. Placeholders take the latest real value:
/// <c>srv_…</c>, <c>wh_…</c>, <c>dt_…</c> (an id with that prefix from an earlier answer),
/// <c>cursor=…</c> (the latest <c>nextCursor</c>), <c>"&lt;etag&gt;"</c> (the latest ETag).
/// Webhooks are registered but never delivered (the dispatcher is not started), so nothing leaves
/// the machine.
/// </summary>
[Category(TestCategories.Process)]
[NonParallelizable]
public sealed class DocsExamplesTests
{
    const string DocumentedBase = "http://localhost:5080";
    const string DocumentedManagement = "http://localhost:5081";

    PulseFactory _app = null!;
    TempDirectory _dir = null!;
    string _base = null!;
    string _management = null!;
    readonly Dictionary<string, string> _ids = [];
    string? _cursor;
    string? _etag;

    [OneTimeSetUp]
    public async Task Start()
    {
        _dir = new TempDirectory();
        var removed = 0;
        // The management listener on a free port; the documented address ($MGMT) is mapped to it like the base address.
        _management = $"http://127.0.0.1:{FreePort()}";
        _app = new PulseFactory(new Dictionary<string, string?>
            {
                ["Demo:Enabled"] = "true", ["Widget:ServeSamples"] = "true", ["Operations:ManagementUrl"] = _management,
            },
            time: new FakeTimeProvider(DateTimeOffset.UtcNow), environment: "Development",
            services: s =>
            {
                foreach (var dispatcher in s.Where(d => d.ServiceType == typeof(IHostedService)
                             && d.ImplementationFactory?.Method.ReturnType == typeof(WebhookDispatcher)).ToList())
                {
                    s.Remove(dispatcher);
                    removed++;
                }
            });
        _base = _app.StartKestrel().ToString().TrimEnd('/');
        Assert.That(removed, Is.EqualTo(1), "the webhook dispatcher is registered as one hosted service");
        var seeded = await _app.Services.GetRequiredService<DemoSeeder>().SeedAsync(new SeedOptions());
        Assert.That(seeded.Responses, Is.GreaterThan(1000));
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _app.Dispose();
        _dir.Dispose();
    }

    [TestCase("README.md")]
    [TestCase("docs/api.md")]
    public async Task EveryCurlExample_AnswersWhatTheDocSays(string doc)
    {
        var blocks = DocExamples.Parse(doc, Repository.Read(doc));
        var assignments = new List<string>();
        var ran = 0;
        using (Assert.EnterMultipleScope())
        {
            foreach (var block in blocks)
            {
                if (block.Marker?.StartsWith("skip", StringComparison.Ordinal) == true)
                    continue;
                foreach (var command in block.Commands)
                {
                    if (command.IsAssignment)
                    {
                        assignments.Add(Local(command.Text));
                        continue;
                    }
                    if (!command.IsCurl)
                        continue;
                    ran++;
                    await RunAsync(command, assignments, mayBeEmpty: block.Marker?.StartsWith("may be empty", StringComparison.Ordinal) == true);
                }
            }
        }
        Assert.That(ran, Is.GreaterThan(5), "curl examples found in " + doc);
        await AssertDemoPageStillWorks(doc);
    }

    /// <summary>After the examples the page at / (served from the demo origin) still gets its survey decisions.</summary>
    async Task AssertDemoPageStillWorks(string doc)
    {
        using var browser = _app.BrowserClient("http://localhost:5080");
        var answer = await browser.PostAsync("/v1/eligibility", Json.Of(new { siteKey = DemoWorkspace.SiteKey, user = new { id = "demo-after-" + doc } }));
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{doc}'s examples left the demo page unable to ask for surveys: {await answer.Content.ReadAsStringAsync()}");
    }

    string Local(string text) => text.Replace(DocumentedBase, _base, StringComparison.Ordinal)
        .Replace(DocumentedManagement, _management, StringComparison.Ordinal);

    static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    async Task RunAsync(DocCommand command, List<string> assignments, bool mayBeEmpty)
    {
        var text = Local(ResolvePlaceholders(command));
        var script = string.Join('\n', assignments) + "\n" +
            "curl() { command curl --silent --show-error --write-out '\\n@@status=%{http_code}\\n' \"$@\"; }\n" + text + "\n";
        var (exitCode, output) = await Shell.RunAsync("bash", ["-euo", "pipefail", "-c", script], _dir.Path);
        var marker = output.LastIndexOf("@@status=", StringComparison.Ordinal);
        if (exitCode != 0 || marker < 0)
        {
            Assert.Fail($"{command}\n  did not run (exit {exitCode}):\n{output}");
            return;
        }
        var status = int.Parse(output.AsSpan(marker + "@@status=".Length, 3), System.Globalization.CultureInfo.InvariantCulture);
        var body = output[..marker].TrimEnd('\n');
        Remember(body);

        var where = $"{command}\n  answered {status}: {Shorten(body)}";
        TestContext.Out.WriteLine($"{command.Doc}:{command.Line} → {status} {Shorten(body, 160)}");
        if (command.Status is { } expected)
            Assert.That(status, Is.EqualTo(expected), where);
        else
            Assert.That(status, Is.InRange(200, 299), where);
        if (!TryParseObject(body, out var json))
            return;
        if (command.ResultKeys.Count > 0)
        {
            var actual = json.EnumerateObject().Select(p => p.Name).ToHashSet();
            Assert.That(command.ResultKeys.Any(keys => keys.All(actual.Contains)), Is.True,
                $"{where}\n  the doc shows the fields {string.Join(" or ", command.ResultKeys.Select(k => string.Join(", ", k)))}");
        }
        if (!mayBeEmpty)
        {
            foreach (var list in new[] { "items", "groups" })
            {
                if (json.TryGetProperty(list, out var items) && items.ValueKind == JsonValueKind.Array)
                    Assert.That(items.GetArrayLength(), Is.Positive, $"{where}\n  '{list}' is empty: the example shows nothing on the demo data");
            }
            if (json.TryGetProperty("responses", out var responses) && responses.ValueKind == JsonValueKind.Number)
                Assert.That(responses.GetInt64(), Is.Positive, $"{where}\n  no responses: the example shows nothing on the demo data");
        }
    }

    string ResolvePlaceholders(DocCommand command)
    {
        var text = Regex.Replace(command.Text, @"cursor=[A-Za-z0-9]*…", _ => "cursor=" + (_cursor ?? Missing(command, "a nextCursor")));
        if (text.Contains("\"<etag>\"", StringComparison.Ordinal))
            text = text.Replace("\"<etag>\"", _etag ?? Missing(command, "an ETag"), StringComparison.Ordinal);
        return Regex.Replace(text, @"\b(?<p>[a-z]{1,5}_)[A-Za-z0-9]*…", m =>
            _ids.TryGetValue(m.Groups["p"].Value, out var id) ? id : Missing(command, $"an id {m.Groups["p"].Value}… from an earlier answer"));
    }

    static string Missing(DocCommand command, string what)
    {
        Assert.Fail($"{command}\n  needs {what}, and no earlier example of the doc gave one: reorder the examples or mark the block");
        return "missing";
    }

    /// <summary>Ids, cursors and ETags of an answer, for the placeholders of later examples.</summary>
    void Remember(string body)
    {
        foreach (Match id in Regex.Matches(body, @"""(?<v>(?<p>[a-z]{1,5}_)[A-Za-z0-9_]{4,})"""))
            _ids[id.Groups["p"].Value] = id.Groups["v"].Value;
        if (Regex.Match(body, @"""nextCursor""\s*:\s*""(?<c>[^""]+)""") is { Success: true } cursor)
            _cursor = cursor.Groups["c"].Value;
        if (Regex.Match(body, @"(?im)^etag:\s*(?<e>""[^""]+"")") is { Success: true } etag)
            _etag = etag.Groups["e"].Value;
    }

    static bool TryParseObject(string body, out JsonElement json)
    {
        json = default;
        if (!body.TrimStart().StartsWith('{'))
            return false;
        try
        {
            json = JsonDocument.Parse(body).RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    static string Shorten(string body, int length = 400) => body.Length <= length ? body : body[..length] + "…";
}
