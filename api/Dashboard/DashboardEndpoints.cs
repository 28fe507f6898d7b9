using Microsoft.AspNetCore.Http.HttpResults;
using Pulse.Api.Operations;

namespace Pulse.Api.Dashboard;

/// <summary>
/// <c>/dashboard</c>: the page and its modules, under a strict Content-Security-Policy. The page
/// itself holds no data; it calls the secret-key API with the key the user signs in with.
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>
    /// Only the dashboard's own files run, style or connect; no inline script or style, no framing,
    /// no form posts, no base URL tricks. Images may be data: URLs (none are used today).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>The demo seeder (the <c>seed</c> command).</summary>
    public static IHostApplicationBuilder AddDashboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DemoSeeder>();
        return builder;
    }

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/dashboard").WithTags("Dashboard").ExcludeFromDescription()
            .Public("the dashboard's page and files hold no data")
            .AddEndpointFilter(async (context, next) =>
            {
                AddSecurityHeaders(context.HttpContext.Response.Headers);
                return await next(context);
            });
        group.MapGet("", Page).WithName("DashboardPage"); // also answers /dashboard/
        group.MapGet("/assets/{name}", Asset).WithName("DashboardAsset");

        return app;
    }

    static Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult> Page(HttpContext context) =>
        Serve(context, DashboardAssets.Find("index.html") ?? throw new InvalidOperationException("index.html is not embedded."));

    static Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult> Asset(string name, HttpContext context) =>
        DashboardAssets.Find(name) is { } asset && name != "index.html"
            ? Serve(context, asset)
            : Problems.NotFound($"The dashboard has no file '{name}'; open /dashboard.");

    static Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult> Serve(HttpContext context, DashboardAsset asset)
    {
        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        // Module URLs carry no fingerprint, so browsers revalidate each time (a 304 costs a few bytes).
        headers.CacheControl = "no-cache";
        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.File(asset.Content, asset.ContentType);
    }

    internal static void AddSecurityHeaders(IHeaderDictionary headers)
    {
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
    }
}
