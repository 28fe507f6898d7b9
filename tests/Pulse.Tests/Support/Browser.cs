using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Pulse.Tests.Support;

/// <summary>
/// Debian's Chromium driven by Playwright for .NET. Playwright never downloads a browser here: it
/// launches <c>/usr/bin/chromium</c> (or <c>PULSE_CHROMIUM</c>). Without Chromium the fixture is
/// skipped with the command that installs it, or fails when <c>PULSE_REQUIRE_BROWSER=1</c> (CI).
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    static readonly string[] Args =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    readonly IPlaywright _playwright;

    Browser(IPlaywright playwright, IBrowser chromium)
    {
        _playwright = playwright;
        Chromium = chromium;
    }

    public IBrowser Chromium { get; }

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("PULSE_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    static bool Required => Environment.GetEnvironmentVariable("PULSE_REQUIRE_BROWSER") == "1";

    /// <summary>Starts one headless Chromium, or ignores/fails the calling fixture when it is not installed.</summary>
    public static async Task<Browser> LaunchAsync()
    {
        TestCategories.Require(TestCategories.Browser);
        if (!File.Exists(ExecutablePath))
        {
            var message = $"Chromium not found at {ExecutablePath}; install it with: apt-get install chromium (or set PULSE_CHROMIUM).";
            if (Required)
                Assert.Fail(message);
            Assert.Ignore(message);
        }
        var playwright = await Playwright.CreateAsync();
        try
        {
            var chromium = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ExecutablePath, Args = Args, Headless = true });
            return new Browser(playwright, chromium);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A fresh context (no cookies, storage or cache shared with other tests) and a page that records its console.</summary>
    public async Task<BrowserPage> NewPageAsync(BrowserNewContextOptions? options = null)
    {
        var context = await Chromium.NewContextAsync(options ?? new BrowserNewContextOptions());
        var page = await context.NewPageAsync();
        return new BrowserPage(context, page);
    }

    public async ValueTask DisposeAsync()
    {
        await Chromium.CloseAsync();
        _playwright.Dispose();
    }
}

/// <summary>A page in its own context, with what it printed to the console and the errors it threw.</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    readonly Lock _gate = new();
    readonly List<string> _console = [];
    readonly List<(string Text, TaskCompletionSource<string> Seen)> _waiters = [];
    readonly ConcurrentQueue<string> _errors = new();

    internal BrowserPage(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Console += (_, message) => Record($"{message.Type}: {message.Text}");
        page.PageError += (_, error) => _errors.Enqueue(error);
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Console messages as "type: text", in order.</summary>
    public IReadOnlyList<string> Console
    {
        get
        {
            lock (_gate)
                return [.. _console];
        }
    }

    /// <summary>Uncaught exceptions of the page.</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    /// <summary>Keeps a console line and hands it to every waiter it matches, under one lock with <see cref="WaitForConsoleAsync"/>.</summary>
    void Record(string line)
    {
        lock (_gate)
        {
            _console.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!line.Contains(_waiters[i].Text, StringComparison.Ordinal))
                    continue;
                _waiters[i].Seen.TrySetResult(line);
                _waiters.RemoveAt(i);
            }
        }
    }

    /// <summary>
    /// The first console line ("type: text") that contains <paramref name="text"/>, whether it was
    /// printed before this call or comes later. The lines seen so far and the waiters are one list
    /// under one lock, so a line cannot arrive unseen between looking at the past and waiting for the
    /// future (which a check of the buffer followed by a Playwright event subscription allowed).
    /// </summary>
    public async Task<string> WaitForConsoleAsync(string text, float timeoutMs = 30_000)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_console.FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal)) is { } found)
                return found;
            _waiters.Add((text, seen));
        }
        try
        {
            return await seen.Task.WaitAsync(TimeSpan.FromMilliseconds(timeoutMs));
        }
        catch (TimeoutException)
        {
            lock (_gate)
                _waiters.RemoveAll(w => w.Seen == seen);
            throw new TimeoutException($"No console line containing '{text}' within {timeoutMs} ms. The console:\n  " + string.Join("\n  ", Console));
        }
    }

    /// <summary>On failure, a screenshot and the console go to the test's attachments and output.</summary>
    public async Task ReportIfFailedAsync()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status != NUnit.Framework.Interfaces.TestStatus.Failed)
            return;
        try
        {
            var file = Path.Combine(TestContext.CurrentContext.WorkDirectory,
                $"{TestContext.CurrentContext.Test.Name.Replace('"', '_').Replace('/', '_')}-{Guid.NewGuid():n}.png");
            await Page.ScreenshotAsync(new() { Path = file, FullPage = true });
            TestContext.AddTestAttachment(file);
        }
        catch (PlaywrightException)
        {
            // The page may already be gone; the console below still helps.
        }
        TestContext.Out.WriteLine("Browser console:\n  " + string.Join("\n  ", Console));
        if (Errors.Count > 0)
            TestContext.Out.WriteLine("Page errors:\n  " + string.Join("\n  ", Errors));
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}

/// <summary>
/// NUnit base for browser fixtures: one Chromium per fixture (launched in <c>[OneTimeSetUp]</c>),
/// a fresh context and page per test (<see cref="Page"/>), closed after it with a screenshot on
/// failure. Fixtures start their own API (<see cref="PulseFactory.StartKestrel"/>) and host pages
/// (<see cref="HostSite"/>).
/// </summary>
[Category(TestCategories.Browser)]
public abstract class BrowserTest
{
    BrowserPage? _current;

    protected Browser Browser { get; private set; } = null!;

    /// <summary>The current test's page; <see cref="OpenAsync"/> replaces it with one in a differently configured context.</summary>
    protected BrowserPage Current => _current ?? throw new InvalidOperationException("No page: the test's [SetUp] has not run.");

    protected IPage Page => Current.Page;

    [OneTimeSetUp]
    public async Task LaunchBrowser() => Browser = await Browser.LaunchAsync();

    [OneTimeTearDown]
    public async Task CloseBrowser()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
    }

    [SetUp]
    public async Task OpenPage() => _current = await Browser.NewPageAsync();

    [TearDown]
    public async Task ClosePage()
    {
        if (_current is null)
            return;
        await _current.ReportIfFailedAsync();
        await _current.DisposeAsync();
        _current = null;
    }

    /// <summary>A page in a new context with these options (viewport, colour scheme, locale…), replacing the current one.</summary>
    protected async Task<IPage> OpenAsync(BrowserNewContextOptions options)
    {
        await ClosePage();
        _current = await Browser.NewPageAsync(options);
        return _current.Page;
    }
}

/// <summary>
/// A second loopback origin that serves the host pages of browser tests: HTML registered by the
/// test, with the response headers it asks for (a CSP, say). It can also forward paths to the API,
/// the way a vendor serves Pulse from its own origin, which makes the API "'self'" for a strict CSP.
/// </summary>
public sealed class HostSite : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentDictionary<string, (string Body, string ContentType, IReadOnlyDictionary<string, string> Headers)> _files = new();
    readonly ConcurrentDictionary<string, RequestDelegate> _prefixes = new();
    readonly HttpClient _http = new(new HttpClientHandler { AutomaticDecompression = System.Net.DecompressionMethods.None, AllowAutoRedirect = false });

    HostSite(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    public static async Task<HostSite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        var site = new HostSite(builder.Build());
        site._app.Run(site.Handle);
        await site._app.StartAsync();
        var addresses = site._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        site.Address = new Uri(addresses.Addresses.First());
        return site;
    }

    /// <summary>The origin, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Origin => Address.GetLeftPart(UriPartial.Authority);

    /// <summary>Serves <paramref name="html"/> at <paramref name="path"/> with these headers; returns its absolute URL.</summary>
    public string Page(string path, string html, IReadOnlyDictionary<string, string>? headers = null) =>
        File(path, html, "text/html; charset=utf-8", headers);

    /// <summary>Serves a script of the host's own origin (what a strict CSP allows as 'self').</summary>
    public string Script(string path, string javaScript) => File(path, javaScript, "text/javascript; charset=utf-8");

    public string File(string path, string body, string contentType, IReadOnlyDictionary<string, string>? headers = null)
    {
        _files[path] = (body, contentType, headers ?? new Dictionary<string, string>());
        return new Uri(Address, path).ToString();
    }

    /// <summary>Forwards every request under <paramref name="prefix"/> (e.g. <c>/v1/</c>) to the same path on <paramref name="target"/>.</summary>
    public void Forward(string prefix, Uri target) =>
        _prefixes[prefix] = context => ForwardAsync(context, new Uri(target, context.Request.Path.Value + context.Request.QueryString));

    /// <summary>Answers every request under <paramref name="prefix"/> with <paramref name="handler"/> (a broken API, say).</summary>
    public void Map(string prefix, RequestDelegate handler) => _prefixes[prefix] = handler;

    async Task Handle(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (_files.TryGetValue(path, out var file))
        {
            foreach (var (name, value) in file.Headers)
                context.Response.Headers[name] = value;
            context.Response.ContentType = file.ContentType;
            await context.Response.WriteAsync(file.Body);
            return;
        }
        var handler = _prefixes.Where(p => path.StartsWith(p.Key, StringComparison.Ordinal)).OrderByDescending(p => p.Key.Length).FirstOrDefault().Value;
        if (handler is null)
            context.Response.StatusCode = 404;
        else
            await handler(context);
    }

    async Task ForwardAsync(HttpContext context, Uri target)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
            if (context.Request.ContentType is { } type)
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        foreach (var header in context.Request.Headers)
            if (header.Key is not ("Host" or "Content-Type" or "Content-Length" or "Transfer-Encoding" or "Connection"))
                request.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
            if (header.Key is not ("Transfer-Encoding" or "Connection"))
                context.Response.Headers[header.Key] = header.Value.ToArray();
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }
}
