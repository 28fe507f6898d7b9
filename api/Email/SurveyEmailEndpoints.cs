using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Pulse.Api.Access;
using Pulse.Api.Eligibility;
using Pulse.Api.Links;
using Pulse.Api.Localization;
using Pulse.Api.Operations;
using Pulse.Api.Surveys;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Email;

/// <summary>
/// <c>POST /v1/surveys/{id}/send</c> (secret key) sends a survey by email to a list of users;
/// <c>/s/{token}/unsubscribe</c> is the one-click unsubscribe of a survey email (RFC 8058): a POST
/// unsubscribes at once, a GET shows a page whose button posts.
/// </summary>
public static class SurveyEmailEndpoints
{
    /// <summary>The unsubscribe page: its own style sheet, and a form that posts only to its own origin.</summary>
    public const string UnsubscribePolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>The body limit of a send request: <see cref="SurveyEmails.MaxUsers"/> users with their traits.</summary>
    public const long BodyLimit = 256 * 1024;

    public static IEndpointRouteBuilder MapSurveyEmails(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/surveys/{id}/send", Send).WithTags("Email").WithName("SendSurveyEmails").RequirePermission(Permissions.ManageSurveys)
            .WithBodyLimit(BodyLimit).DisableValidation()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Sends the survey by email to each listed user who has an email and passes eligibility now; says per user queued, not_eligible (why) or no_email.");

        var page = app.MapGroup("/s").WithTags("Email").ExcludeFromDescription()
            .RequireRateLimiting(RateLimitingExtensions.PublicPolicy)
            .Public("unsubscribing from survey emails: the link token is the capability");
        page.MapGet("/{token}/unsubscribe", UnsubscribePage).WithName("SurveyEmailUnsubscribePage");
        page.MapPost("/{token}/unsubscribe", Unsubscribe).WithName("SurveyEmailUnsubscribe").WithBodyLimit(1024).DisableAntiforgery();
        return app;
    }

    static async Task<Results<Ok<SurveySendResponse>, ValidationProblem, ProblemHttpResult>> Send(string id, [FromBody] SurveySendRequest? body,
        ClaimsPrincipal user, WorkspaceStore workspaces, SurveyCache surveys, SurveyEmails emails, IOptions<EmailOptions> options)
    {
        if (body is null)
            return Problems.BadRequest("Send a JSON object as the body: { users: [ { id, email?, createdAt?, traits?, locale? } ] }.");
        var errors = Validate(body);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, detail: "The request has invalid fields (see 'errors'); correct them and send it again. Nothing was sent.");
        if (workspaces.Find(user.WorkspaceId()) is not { } workspace)
            return Problems.Unauthorized("The secret key's workspace no longer exists; use a key of an existing workspace.");
        if ((await surveys.GetAsync(workspace.Id)).FirstOrDefault(s => s.Id == id) is not { } survey)
            return Problems.NotFound($"No survey '{id}' in this workspace; GET /v1/surveys lists them.");
        if (!options.Value.Configured)
            return Problems.Of(StatusCodes.Status409Conflict,
                "Email is not configured on this server (Email:Smtp:Host and Email:Smtp:From), so no survey email can be sent; nothing was recorded. "
                + "Send personal links from your own tools instead: POST /v1/survey-links.");
        return TypedResults.Ok(await emails.SendAsync(workspace, survey, body.Users!.Select(u => u!).ToList()));
    }

    /// <summary>1 to <see cref="SurveyEmails.MaxUsers"/> users, each valid as eligibility's user, with distinct ids; errors name <c>users[i].field</c>.</summary>
    static Dictionary<string, string[]> Validate(SurveySendRequest body)
    {
        var errors = new Dictionary<string, string[]>();
        if (body.Users is not { Count: > 0 and <= SurveyEmails.MaxUsers } users)
        {
            errors["users"] = [$"users is a list of 1 to {SurveyEmails.MaxUsers} users: {{ id, email?, createdAt?, traits?, locale? }}"];
            return errors;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < users.Count; i++)
        {
            var u = users[i];
            var one = EligibilityValidation.Validate(new EligibilityRequest(null, u is null ? null : new EligibilityUser(u.Id, u.Email, u.CreatedAt, u.Traits),
                null, null, u?.Locale, null, null));
            foreach (var (field, messages) in one)
                errors[$"users[{i}]" + (field == "user" ? "" : field.StartsWith("user.", StringComparison.Ordinal) ? field[4..] : "." + field)] = messages;
            if (u?.Id is { } id && one.Count == 0 && !seen.Add(id))
                errors[$"users[{i}].id"] = ["each user is listed once"];
        }
        return errors;
    }

    static ContentHttpResult UnsubscribePage(string token, HttpContext http, SurveyEmails emails)
    {
        Headers(http.Response.Headers);
        if (emails.Owner(token) is not { } owner)
            return NotFound(http);
        var locale = LinkEndpoints.PageLocale(owner.Locale, http);
        var title = locale.Strings["email.unsubscribe"];
        var body = new StringBuilder()
            .Append("<p>").Append(Text(locale, "unsubscribe.text", owner.Product)).Append("</p>\n")
            .Append("<form method=\"post\" action=\"").Append(Enc(http.Request.PathBase + "/s/" + token + "/unsubscribe")).Append("\">")
            .Append("<button type=\"submit\">").Append(Enc(title)).Append("</button></form>\n")
            .Append("<p>").Append(Text(locale, "unsubscribe.allSurveys", owner.Product)).Append("</p>\n");
        return LinkEndpoints.SimplePage(http, StatusCodes.Status200OK, locale, title, body.ToString());
    }

    static async Task<ContentHttpResult> Unsubscribe(string token, HttpContext http, SurveyEmails emails)
    {
        Headers(http.Response.Headers);
        if (await emails.UnsubscribeAsync(token) is not { } owner)
            return NotFound(http);
        var locale = LinkEndpoints.PageLocale(owner.Locale, http);
        return LinkEndpoints.SimplePage(http, StatusCodes.Status200OK, locale, locale.Strings["unsubscribe.done.title"],
            "<p>" + Text(locale, "unsubscribe.done.text", owner.Product) + "</p>\n");
    }

    static ContentHttpResult NotFound(HttpContext http)
    {
        var locale = LinkEndpoints.PageLocale(null, http);
        return LinkEndpoints.SimplePage(http, StatusCodes.Status404NotFound, locale, locale.Strings["page.notFound.title"],
            "<p>" + Enc(locale.Strings["page.notFound.text"]) + "</p>\n");
    }

    /// <summary>A catalog string with the product and the locale's "Don't ask me again" filled in, HTML-encoded.</summary>
    static string Text(CatalogLocale locale, string key, string product) =>
        Enc(locale.Strings[key].Replace("{optOut}", locale.Strings["optOut"], StringComparison.Ordinal).Replace("{product}", product, StringComparison.Ordinal));

    static string Enc(string text) => WebUtility.HtmlEncode(text);

    static void Headers(IHeaderDictionary headers) => LinkEndpoints.PageHeaders(headers, UnsubscribePolicy);
}
