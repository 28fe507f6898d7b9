using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Pulse.Tests.Widget;

/// <summary>Whatever goes wrong on Pulse's side, the host page stays as it was and hears one console line.</summary>
public sealed class WidgetFailureTests : WidgetBrowserTest
{
    [OneTimeSetUp]
    public void MapBrokenApis()
    {
        Site.Map("/status-500/", context => Answer(context, 500, "text/html", "<h1>Internal Server Error</h1>"));
        Site.Map("/status-503/", context => Answer(context, 503, "application/problem+json", """{"status":503,"title":"Busy","detail":"Try later."}"""));
        Site.Map("/not-json/", context => Answer(context, 200, "text/html", "<!doctype html><p>captive portal</p>"));
    }

    static Task Answer(HttpContext context, int status, string type, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = type;
        return context.Response.WriteAsync(body);
    }

    /// <summary>
    /// A loopback port bound but not listening: connections are refused, and while the socket
    /// lives no other process (another test's server, say) can take the port.
    /// </summary>
    static Socket ClosedPort()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    [Test]
    public async Task RefusedCall_TellsThePage_WithASkippedEvent()
    {
        var url = Site.Page("/failure-skipped.html", HostPages.Html(
            "<script>" + HostPages.Snippet(ScriptUrl, new { siteKey = "pk_unknown000000000000000", user = HostPages.User("u-skip", Api.Time.GetUtcNow()) })
            + "\npulse('on', 'skipped', function (d) { window.skippedDetail = d; });</script>"));
        await Page.GotoAsync(url);
        await Page.WaitForFunctionAsync("() => !!window.skippedDetail");
        var detail = await Page.EvaluateAsync<System.Text.Json.JsonElement>("window.skippedDetail");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(detail.GetProperty("reason").GetString(), Is.EqualTo("error"));
            Assert.That(detail.GetProperty("message").GetString(), Does.StartWith("401"));
        }
    }

    [TestCase("down", "Failed to fetch")]
    [TestCase("500", "HTTP 500")]
    [TestCase("503", "503 Try later.")]
    [TestCase("not-json", "JSON")]
    [TestCase("unknown-site-key", "/v1/eligibility failed: 401")]
    public async Task ApiFailure_LeavesThePageUntouched_WithOneConsoleLine(string failure, string expectedInLine)
    {
        using var closed = ClosedPort();
        var siteKey = failure == "unknown-site-key" ? "pk_unknown000000000000000" : Workspace.SiteKey;
        string? apiBase = failure switch
        {
            "down" => $"http://127.0.0.1:{((IPEndPoint)closed.LocalEndPoint!).Port}",
            "500" => Site.Origin + "/status-500",
            "503" => Site.Origin + "/status-503",
            "not-json" => Site.Origin + "/not-json",
            _ => null,
        };
        var url = Site.Page($"/failure-{failure}.html", HostPages.Html(
            "<script>" + HostPages.Snippet(ScriptUrl, new { siteKey, apiBase, user = HostPages.User("u-fail", Api.Time.GetUtcNow()) }) + "</script>"));

        await Page.GotoAsync(url, new() { WaitUntil = Microsoft.Playwright.WaitUntilState.DOMContentLoaded });
        var before = await Page.EvaluateAsync<string>("document.body.innerHTML");
        var line = await Current.WaitForConsoleAsync("[pulse]");
        var after = await Page.EvaluateAsync<string>("document.body.innerHTML");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(line, Does.Contain(expectedInLine));
            Assert.That(Current.Console.Count(l => l.Contains("[pulse]", StringComparison.Ordinal)), Is.EqualTo(1), string.Join("\n", Current.Console));
            Assert.That(after, Is.EqualTo(before));
            Assert.That(await Page.Locator("pulse-survey").CountAsync(), Is.Zero);
            Assert.That(await Page.EvaluateAsync<string[]>("hostProbe.errors"), Is.Empty);
            Assert.That(Current.Errors, Is.Empty);
            Assert.That(await Page.EvaluateAsync<bool>("typeof pulse === 'function' && pulse.ready === true"), Is.True);
        }
    }

    [Test]
    public async Task BadCalls_AreLoggedNotThrown()
    {
        var url = Site.Page("/bad-calls.html", HostPages.Html($$"""
            <script>
            window.pulse=window.pulse||function(){(pulse.q=pulse.q||[]).push(arguments)};
            pulse('init');
            pulse('launch-rockets');
            pulse('on', 'shown', function () { });
            </script>
            <script src="{{ScriptUrl}}" async></script>
            """));

        await Page.GotoAsync(url);
        await Current.WaitForConsoleAsync("unknown command launch-rockets");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Current.Console, Has.Some.Contains("[pulse] init needs"));
            Assert.That(await Page.EvaluateAsync<string[]>("hostProbe.errors"), Is.Empty);
            Assert.That(Current.Errors, Is.Empty);
            Assert.That(await Page.EvaluateAsync<bool>("(function () { pulse(); pulse('track'); return true; })()"), Is.True);
        }
    }
}
