using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Pulse.Api.Access;
using Pulse.Api.Displays;
using Pulse.Api.Eligibility;
using Pulse.Api.Localization;
using Pulse.Api.Operations;
using Pulse.Api.Privacy;
using Pulse.Api.Responses;
using Pulse.Api.Widget;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Links;

/// <summary>
/// <c>POST /v1/survey-links</c> (secret key) creates a personal link; <c>GET /s/{token}</c> is the hosted
/// survey page (the widget in page mode) and <c>POST /s/{token}/responses</c> takes its answer. A GET
/// never records a score: <c>?score=N</c> only pre-selects it (mail scanners prefetch links).
/// </summary>
public static class LinkEndpoints
{
    /// <summary>
    /// The page runs only its own files (the widget and page.js; the survey travels in a JSON data block,
    /// which is not script), posts only to its own origin, and can be neither framed nor re-based.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public static IHostApplicationBuilder AddLinks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LinkOptions>().BindConfiguration(LinkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<LinkService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapLinks(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/survey-links").WithTags("Links")
            .MapPost("", Create).WithName("CreateSurveyLink").RequirePermission(Permissions.ManageSurveys)
            .WithSummary("A personal survey link for one user who passes eligibility now; valid for Links:LinkDays.")
            .WithBodyLimit(EligibilityEndpoints.BodyLimit)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        var page = app.MapGroup("/s").WithTags("Links").ExcludeFromDescription()
            .RequireRateLimiting(RateLimitingExtensions.PublicPolicy)
            .Public("the hosted survey page: the link token is the capability");
        page.MapGet("/{token}", Page).WithName("SurveyLinkPage");
        page.MapPost("/{token}/responses", Answer).WithName("SurveyLinkAnswer").WithBodyLimit(ResponseRules.BodyLimitBytes).DisableValidation();
        page.MapPost("/{token}/opt-out", OptOut).WithName("SurveyLinkOptOut").WithBodyLimit(EligibilityEndpoints.BodyLimit);
        page.MapGet("/assets/{name}", Asset).WithName("SurveyLinkAsset");
        return app;
    }

    static async Task<Results<Created<SurveyLink>, ValidationProblem, ProblemHttpResult>> Create(
        [FromBody] SurveyLinkRequest? body, HttpContext http, ClaimsPrincipal user, WorkspaceStore workspaces, LinkService links)
    {
        if (body is null)
            return Problems.BadRequest("Send a JSON object as the body: { user: { id, email?, createdAt?, traits? }, surveyId?, locale?, channel? }.");
        var errors = EligibilityValidation.Validate(new EligibilityRequest(null, body.User, null, null, body.Locale, null, null));
        if (body.SurveyId is { } id && (id.Length is 0 or > 64 || id.Any(char.IsControl)))
            errors["surveyId"] = ["surveyId is the id of a survey of this workspace (srv_…), or left out for the highest-priority eligible survey"];
        if (body.Channel is not null && body.Channel is not (Channels.Link or Channels.Email))
            errors["channel"] = ["channel is 'link' (default) or 'email': how you send the link"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, detail: "The request has invalid fields (see 'errors'); correct them and send it again. Nothing was recorded.");
        if (workspaces.Find(user.WorkspaceId()) is not { } workspace)
            return Problems.Unauthorized("The secret key's workspace no longer exists; use a key of an existing workspace.");

        var created = await links.CreateAsync(workspace, body);
        if (created is null)
            return Problems.NotFound($"No survey '{body.SurveyId}' in this workspace; GET /v1/surveys lists them.");
        if (created.Token is null)
        {
            var problem = new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = Problems.Title(StatusCodes.Status409Conflict),
                Detail = $"The user is not eligible for a survey now ({created.Reason}); no link was made. The reason codes are those of POST /v1/eligibility.",
            };
            problem.Extensions["reason"] = created.Reason;
            return TypedResults.Problem(problem);
        }
        var path = "/s/" + created.Token;
        var url = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{path}";
        return TypedResults.Created(url, new SurveyLink(url, path, created.SurveyId!, body.User!.Id!, body.Channel ?? Channels.Link,
            DateTimeOffset.FromUnixTimeMilliseconds(created.ExpiresAt)));
    }

    static async Task<ContentHttpResult> Page(string token, string? score, HttpContext http, LinkService links, WorkspaceStore workspaces)
    {
        PageHeaders(http.Response.Headers);
        var opened = await links.OpenAsync(token, http.Request.Headers.AcceptLanguage.ToString());
        if (opened.State != LinkState.Open || workspaces.Find(opened.Link!.WorkspaceId) is not { } workspace)
            return Polite(opened, http, workspaces);
        var display = opened.Display!;
        var survey = EligibilityService.Localize(opened.Survey!, display.Locale ?? "en", workspace.ProductName, display.Variant);
        // "Don't ask me again" posts to /s/{token}/opt-out (the page has no display token), then the page reloads to confirm it.
        var data = JsonSerializer.Serialize(new { token, score = PreSelected(score), survey }, JsonSerializerOptions.Web);
        var html = new StringBuilder()
            .Append("<!doctype html>\n<html lang=\"").Append(Enc(survey.Locale)).Append("\" dir=\"").Append(survey.Dir == "rtl" ? "rtl" : "ltr").Append("\">\n")
            .Append(Head(survey.Texts.Question))
            .Append("<body>\n<main id=\"pulse-page\">\n<h1>").Append(Enc(workspace.ProductName)).Append("</h1>\n")
            .Append("<noscript><p>").Append(Enc(PageLocale(display.Locale, http).Strings["page.noscript"])).Append("</p></noscript>\n</main>\n")
            // JsonSerializer escapes <, > and & as \u003C…, so the data cannot end the element.
            .Append("<script type=\"application/json\" id=\"pulse-link\">").Append(data).Append("</script>\n")
            .Append("<script src=\"").Append(http.Request.PathBase).Append("/widget/v1/pulse.js\"></script>\n")
            .Append("<script src=\"").Append(http.Request.PathBase).Append("/s/assets/page.js\"></script>\n</body>\n</html>\n");
        return TypedResults.Content(html.ToString(), "text/html; charset=utf-8", Encoding.UTF8, StatusCodes.Status200OK);
    }

    /// <summary>The score <c>?score=N</c> pre-selects: a whole number 0–10, else none (a bad value is ignored, never an error page).</summary>
    static int? PreSelected(string? score) =>
        int.TryParse(score, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n <= 10 ? n : null;

    /// <summary>
    /// The page of a link that shows no survey: 404 unknown, 410 expired, answered or no longer available. Never problem+json.
    /// In the link's language (its display's, else the one it was made with), else the request's Accept-Language, else English.
    /// </summary>
    static ContentHttpResult Polite(LinkOpened opened, HttpContext http, WorkspaceStore workspaces)
    {
        var (status, key) = opened.State switch
        {
            LinkState.Unknown => (StatusCodes.Status404NotFound, "page.notFound"),
            LinkState.Expired => (StatusCodes.Status410Gone, "page.expired"),
            LinkState.Answered => (StatusCodes.Status410Gone, "page.answered"),
            LinkState.OptedOut => (StatusCodes.Status200OK, "page.optedOut"),
            _ => (StatusCodes.Status410Gone, "page.unavailable"),
        };
        var locale = PageLocale(opened.Display?.Locale ?? opened.Link?.Locale, http);
        var product = opened.Link is { } link ? workspaces.Find(link.WorkspaceId)?.ProductName : null;
        var body = "<p>" + Enc(locale.Strings[key + ".text"]) + "</p>\n" + (product is null ? "" : "<p>— " + Enc(product) + "</p>\n");
        return SimplePage(http, status, locale, locale.Strings[key + ".title"], body);
    }

    /// <summary>
    /// The catalog locale of a page about a link: <paramref name="stored"/> (the link's or its display's locale) when the
    /// catalog has it, else the request's Accept-Language as the widget negotiates it, else English.
    /// </summary>
    public static CatalogLocale PageLocale(string? stored, HttpContext http) =>
        SurveyCatalog.Get(LocaleNegotiation.Negotiate(stored, http.Request.Headers.AcceptLanguage.ToString()));

    /// <summary>
    /// A page without script in <paramref name="locale"/> (<c>lang</c> and <c>dir</c> on &lt;html&gt;): a heading of
    /// <paramref name="title"/> and <paramref name="body"/>, which is HTML the caller has encoded.
    /// </summary>
    public static ContentHttpResult SimplePage(HttpContext http, int status, CatalogLocale locale, string title, string body)
    {
        var html = new StringBuilder("<!doctype html>\n<html lang=\"").Append(Enc(locale.Code)).Append("\" dir=\"").Append(locale.Dir == "rtl" ? "rtl" : "ltr").Append("\">\n")
            .Append(Head(title, http.Request.PathBase))
            .Append("<body>\n<main>\n<h1>").Append(Enc(title)).Append("</h1>\n").Append(body).Append("</main>\n</body>\n</html>\n");
        http.Response.StatusCode = status;
        return TypedResults.Content(html.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    static async Task<Results<Created<SavedResponse>, Ok<SavedResponse>, ValidationProblem, ProblemHttpResult>> Answer(
        string token, LinkAnswer? body, HttpContext http, LinkService links, ResponseMetrics metrics)
    {
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        http.Response.Headers["X-Robots-Tag"] = "noindex";
        if (body is null)
            return Problems.BadRequest("Send a JSON object as the body: { score, comment?, followUp? }.");
        var errors = ResponseRules.Validate(new ResponsePost(token, body.Score, body.Comment, body.FollowUp, null));
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var kind = await links.KindAsync(token);
        if (kind is not null && ResponseRules.ScoreError(kind, body.Score!.Value) is { } scoreError)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["score"] = [scoreError] });
        var change = new ResponseChange(body.Score!.Value,
            SetComment: body.Comment is not null,
            Comment: body.Comment is null ? null : ResponseRules.NormalizeComment(body.Comment),
            SetFollowUp: body.FollowUp is not null,
            FollowUpJson: body.FollowUp is null ? null : ResponseStore.FollowUpJson(body.FollowUp),
            Category: kind?.CategoryOf(body.Score!.Value));
        var (opened, saved) = await links.AnswerAsync(token, change, http.Request.Headers.AcceptLanguage.ToString());
        switch (opened.State)
        {
            case LinkState.Unknown:
                return Problems.NotFound("Unknown survey link; open the link from the message you received.");
            case LinkState.Expired:
                return Problems.Gone("This survey link has expired; it can no longer be answered.");
            case LinkState.Answered:
                return Problems.Gone("This survey link was answered already; its answer stands.");
            case LinkState.Unavailable:
                return Problems.Gone("This survey can no longer be answered through this link.");
            case LinkState.OptedOut:
                return Problems.Gone("The user opted out of surveys; this link can no longer be answered.");
        }
        if (saved is null)
            return Problems.Gone("This survey can no longer be answered through this link.");
        if (saved.Changed)
            metrics.ResponseSaved(saved.Response.Category, saved.Response.Created);
        return saved.Response.Created ? TypedResults.Created((string?)null, saved.Response.ToSaved()) : TypedResults.Ok(saved.Response.ToSaved());
    }

    /// <summary><c>POST /s/{token}/opt-out</c>: the hosted page's "Don't ask me again". No body is read; the token is the capability.</summary>
    static async Task<Results<NoContent, ProblemHttpResult>> OptOut(string token, HttpContext http, LinkService links, PrivacyHooks hooks, ResponseMetrics metrics)
    {
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        http.Response.Headers["X-Robots-Tag"] = "noindex";
        switch (await links.OptOutAsync(token, hooks))
        {
            case null:
                return Problems.NotFound("Unknown survey link; open the link from the message you received.");
            case true:
                metrics.OptedOut();
                break;
        }
        return TypedResults.NoContent();
    }

    static Results<FileContentHttpResult, ProblemHttpResult> Asset(string name, HttpContext http)
    {
        http.Response.Headers.CacheControl = "public, max-age=300";
        return name switch
        {
            "page.js" => TypedResults.File(Script.Value, "text/javascript; charset=utf-8"),
            "page.css" => TypedResults.File(Style.Value, "text/css; charset=utf-8"),
            _ => Problems.NotFound($"The survey page has no file '{name}'."),
        };
    }

    static readonly Lazy<byte[]> Script = new(() => WidgetAssets.ResourceBytes("Pulse.Links.page.js"));
    static readonly Lazy<byte[]> Style = new(() => WidgetAssets.ResourceBytes("Pulse.Links.page.css"));

    static string Head(string title, PathString pathBase = default) =>
        "<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" +
        "<meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"robots\" content=\"noindex\">\n" +
        "<title>" + Enc(title) + "</title>\n<link rel=\"stylesheet\" href=\"" + Enc(pathBase + "/s/assets/page.css") + "\">\n</head>\n";

    static string Enc(string text) => WebUtility.HtmlEncode(text);

    /// <summary>No caching, no referrer, no indexing, no framing, a strict CSP (<paramref name="policy"/>); the page sets no cookie.</summary>
    public static void PageHeaders(IHeaderDictionary headers, string policy = ContentSecurityPolicy)
    {
        headers.ContentSecurityPolicy = policy;
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        headers["X-Robots-Tag"] = "noindex";
        headers.XFrameOptions = "DENY";
    }
}
