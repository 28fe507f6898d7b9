using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.Options;
using Pulse.Api.Workspaces;
using Pulse.Client;
using Pulse.Client.AspNetCore;
using Pulse.Tests.Widget;

namespace Pulse.Tests.Client;

/// <summary>The HTML of <c>&lt;pulse-snippet&gt;</c>, rendered the way Razor runs a tag helper.</summary>
public sealed partial class SnippetTagHelperTests
{
    internal static readonly PulseOptions Options = new()
    {
        BaseUrl = "https://pulse.example.com/nps",
        SiteKey = "pk_test_0000",
        IdentitySecret = "ids_test_secret",
    };

    /// <summary>A user id and traits written to break out of a script, a string or an attribute.</summary>
    internal static PulseUser Hostile(string suffix, DateTimeOffset createdAt) =>
        new("</script><script>window.pwned=1</script>'\";<!--\u2028\u2029&amp;" + suffix)
        {
            Email = "o'brien+x@example.test",
            CreatedAt = createdAt,
            Traits = new Dictionary<string, TraitValue>
            {
                ["plan"] = "</script><img src=x onerror=\"window.pwned=2\">",
                ["note"] = "it's \"quoted\" & <b>bold</b> \u2028 `${window.pwned=3}`",
                ["arr"] = 48000.5,
            },
        };

    /// <summary>Runs the tag helper as Razor does and writes its output.</summary>
    internal static async Task<string> RenderAsync(PulseSnippetTagHelper helper, HttpContext? http = null)
    {
        helper.ViewContext = new ViewContext { HttpContext = http ?? new DefaultHttpContext() };
        var context = new TagHelperContext("pulse-snippet", [], new Dictionary<object, object>(), Guid.NewGuid().ToString("n"));
        var output = new TagHelperOutput("pulse-snippet", [], (_, _) => Task.FromResult<TagHelperContent>(new DefaultTagHelperContent()));
        await helper.ProcessAsync(context, output);
        using var writer = new StringWriter();
        output.WriteTo(writer, HtmlEncoder.Default);
        return writer.ToString();
    }

    internal static PulseSnippetTagHelper Helper(PulseOptions? options = null, PulseSnippetOptions? snippet = null) =>
        new(Microsoft.Extensions.Options.Options.Create(options ?? Options), Microsoft.Extensions.Options.Options.Create(snippet ?? new PulseSnippetOptions()));

    [GeneratedRegex(@"^<script( nonce=""[^""]*"")?>\n(?<loader>[^\n]*)\npulse\('init',(?<init>[^\n]*)\);\n</script>$")]
    private static partial Regex Shape();

    static (string Loader, JsonElement Init) Parse(string html)
    {
        var match = Shape().Match(html);
        Assert.That(match.Success, Is.True, html);
        return (match.Groups["loader"].Value, JsonDocument.Parse(match.Groups["init"].Value).RootElement.Clone());
    }

    [Test]
    public async Task Renders_TheLoaderOfWidgetLoaderJs_AndTheInitCall_WithTheUserHash()
    {
        var user = new PulseUser("u-123") { Email = "ada@example.com", CreatedAt = DateTimeOffset.Parse("2026-01-02T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), Traits = new Dictionary<string, TraitValue> { ["plan"] = "premium" } };
        var helper = Helper();
        helper.User = user;

        var (loader, init) = Parse(await RenderAsync(helper));

        var loaderJs = File.ReadAllLines(Path.Combine(WidgetSizeTests.RepositoryRoot(), "widget", "loader.js"))[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(loader, Is.EqualTo(loaderJs.Replace("'https://pulse.example.com/widget/v1/pulse.js'", "\"https://pulse.example.com/nps/widget/v1/pulse.js\"", StringComparison.Ordinal)));
            Assert.That(init.GetProperty("siteKey").GetString(), Is.EqualTo("pk_test_0000"));
            Assert.That(init.GetProperty("user").GetProperty("id").GetString(), Is.EqualTo("u-123"));
            Assert.That(init.GetProperty("user").GetProperty("email").GetString(), Is.EqualTo("ada@example.com"));
            Assert.That(init.GetProperty("user").GetProperty("createdAt").GetDateTimeOffset(), Is.EqualTo(user.CreatedAt));
            Assert.That(init.GetProperty("user").GetProperty("traits").GetProperty("plan").GetString(), Is.EqualTo("premium"));
            Assert.That(Keys.VerifyUserHash("ids_test_secret", "u-123", init.GetProperty("userHash").GetString()), Is.True);
            Assert.That(init.TryGetProperty("locale", out _), Is.False, "the browser's language unless the page sets one");
        }
    }

    [Test]
    public async Task HostileIdsAndTraits_StayInsideTheirJsonStrings()
    {
        var user = Hostile("x", DateTimeOffset.UnixEpoch);
        var helper = Helper();
        helper.User = user;
        helper.Locale = "de'</script>";

        var html = await RenderAsync(helper);
        var (_, init) = Parse(html);
        var script = html[(html.IndexOf('>') + 1)..html.LastIndexOf("</script>", StringComparison.Ordinal)];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(script, Does.Not.Contain("<").And.Not.Contain(">").And.Not.Contain("&"));
            Assert.That(script, Does.Not.Contain("\u2028").And.Not.Contain("\u2029").And.Not.Contain("`"));
            Assert.That(script.Count(c => c == '\''), Is.EqualTo(4), "only createElement('script') and pulse('init')");
            Assert.That(init.GetProperty("user").GetProperty("id").GetString(), Is.EqualTo(user.Id));
            Assert.That(init.GetProperty("user").GetProperty("traits").GetProperty("plan").GetString(), Is.EqualTo(user.Traits!["plan"].AsString));
            Assert.That(init.GetProperty("user").GetProperty("traits").GetProperty("note").GetString(), Is.EqualTo(user.Traits["note"].AsString));
            Assert.That(init.GetProperty("user").GetProperty("traits").GetProperty("arr").GetDouble(), Is.EqualTo(48000.5));
            Assert.That(init.GetProperty("locale").GetString(), Is.EqualTo("de'</script>"));
            Assert.That(Keys.VerifyUserHash("ids_test_secret", user.Id, init.GetProperty("userHash").GetString()), Is.True);
        }
    }

    [Test]
    public async Task TheNonce_IsAnEncodedAttribute_FromThePageOrTheOptions()
    {
        var fromPage = Helper();
        fromPage.User = new PulseUser("u-1");
        fromPage.Nonce = "n\"><script>x";
        var fromOptions = Helper(snippet: new PulseSnippetOptions { Nonce = http => (string?)http.Items["nonce"] });
        fromOptions.User = new PulseUser("u-1");
        var http = new DefaultHttpContext();
        http.Items["nonce"] = "abc123";

        Assert.That(await RenderAsync(fromPage), Does.StartWith("<script nonce=\"n&quot;&gt;&lt;script&gt;x\">\n"));
        Assert.That(await RenderAsync(fromOptions, http), Does.StartWith("<script nonce=\"abc123\">\n"));
        var none = Helper();
        none.User = new PulseUser("u-1");
        Assert.That(await RenderAsync(none), Does.StartWith("<script>\n"));
    }

    [Test]
    public async Task WithoutAUserAttribute_TheSignedInPrincipalIsUsed_AndNobodyGetsNothing()
    {
        var signedIn = new DefaultHttpContext
        {
            User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "usr_42"), new Claim(ClaimTypes.Email, "grace@example.test")], "cookie")),
        };

        var (_, init) = Parse(await RenderAsync(Helper(), signedIn));
        var anonymous = await RenderAsync(Helper(), new DefaultHttpContext());

        Assert.That(init.GetProperty("user").GetProperty("id").GetString(), Is.EqualTo("usr_42"));
        Assert.That(init.GetProperty("user").GetProperty("email").GetString(), Is.EqualTo("grace@example.test"));
        Assert.That(anonymous, Is.Empty);
    }

    [Test]
    public async Task WithoutAnIdentitySecret_NoUserHashIsSent_AndWithoutASiteKeyItRefuses()
    {
        var unsigned = Helper(new PulseOptions { BaseUrl = "https://pulse.example.com", SiteKey = "pk_x" });
        unsigned.User = new PulseUser("u-1");
        var keyless = Helper(new PulseOptions { BaseUrl = "https://pulse.example.com", SecretKey = "sk_x" });
        keyless.User = new PulseUser("u-1");

        var (_, init) = Parse(await RenderAsync(unsigned));
        var error = Assert.ThrowsAsync<InvalidOperationException>(() => RenderAsync(keyless))!;

        Assert.That(init.TryGetProperty("userHash", out _), Is.False);
        Assert.That(error.Message, Does.Contain("Pulse:SiteKey"));
    }
}
