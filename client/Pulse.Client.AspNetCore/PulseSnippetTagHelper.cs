using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.Options;

namespace Pulse.Client.AspNetCore;

/// <summary>
/// <c>&lt;pulse-snippet user="@Model.PulseUser" nonce="@cspNonce" /&gt;</c> renders the widget's
/// snippet (<see cref="PulseSnippet"/>) as an inline script for the signed-in user, with
/// <c>userHash</c> computed on the server. Without <c>user</c> it reads the request's signed-in
/// principal through <see cref="PulseSnippetOptions.UserFromPrincipal"/>; with no user it renders nothing.
/// Enable it with <c>@addTagHelper *, Pulse.Client.AspNetCore</c>.
/// </summary>
[HtmlTargetElement("pulse-snippet", TagStructure = TagStructure.WithoutEndTag)]
public sealed class PulseSnippetTagHelper : TagHelper
{
    readonly PulseOptions _options;
    readonly PulseSnippetOptions _snippet;

    /// <summary>Created by Razor with the application's options.</summary>
    public PulseSnippetTagHelper(IOptions<PulseOptions> options, IOptions<PulseSnippetOptions> snippet)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(snippet);
        _options = options.Value;
        _snippet = snippet.Value;
    }

    /// <summary>The signed-in user with the traits to send; null reads the request's principal.</summary>
    [HtmlAttributeName("user")]
    public PulseUser? User { get; set; }

    /// <summary>The page's Content-Security-Policy nonce; null asks <see cref="PulseSnippetOptions.Nonce"/>.</summary>
    [HtmlAttributeName("nonce")]
    public string? Nonce { get; set; }

    /// <summary>The survey's language (<c>de</c>, <c>pt-BR</c>); null lets the widget use the browser's.</summary>
    [HtmlAttributeName("locale")]
    public string? Locale { get; set; }

    /// <summary>The view being rendered (set by Razor).</summary>
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext? ViewContext { get; set; }

    /// <inheritdoc />
    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var http = ViewContext?.HttpContext;
        var user = User ?? (http?.User is { Identity.IsAuthenticated: true } principal ? _snippet.UserFromPrincipal(principal) : null);
        if (user is null)
        {
            output.SuppressOutput();
            return;
        }
        output.TagName = "script";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.Clear();
        var nonce = Nonce ?? (http is null ? null : _snippet.Nonce?.Invoke(http));
        if (!string.IsNullOrEmpty(nonce))
            output.Attributes.SetAttribute("nonce", nonce);
        output.Content.SetHtmlContent("\n" + PulseSnippet.Script(_options, user, Locale) + "\n");
    }
}

/// <summary>How <see cref="PulseSnippetTagHelper"/> finds the user and the nonce when the page does not pass them.</summary>
public sealed class PulseSnippetOptions
{
    /// <summary>
    /// The Pulse user of a signed-in principal. Default: the id of <see cref="ClaimTypes.NameIdentifier"/>
    /// (or <c>sub</c>) and the email of <see cref="ClaimTypes.Email"/> (or <c>email</c>); null when there is no id.
    /// </summary>
    public Func<ClaimsPrincipal, PulseUser?> UserFromPrincipal { get; set; } = DefaultUser;

    /// <summary>The request's CSP nonce, for pages that do not pass <c>nonce</c>; null for none.</summary>
    public Func<HttpContext, string?>? Nonce { get; set; }

    static PulseUser? DefaultUser(ClaimsPrincipal principal)
    {
        var id = principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? principal.FindFirstValue("sub");
        return string.IsNullOrEmpty(id)
            ? null
            : new PulseUser(id) { Email = principal.FindFirstValue(ClaimTypes.Email) ?? principal.FindFirstValue("email") };
    }
}
