using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Pulse.Api.Operations;

namespace Pulse.Api.Widget;

/// <summary>Settings of the widget's serving (section <c>Widget</c>).</summary>
public sealed class WidgetOptions
{
    public const string Section = "Widget";

    /// <summary>How long browsers may use <c>/widget/v1/pulse.js</c> before revalidating (ETag), in seconds.</summary>
    [Range(0, 86_400)]
    public int MaxAgeSeconds { get; set; } = 300;

    /// <summary>Serve samples/plain-html at <c>/</c>. Null: only in Development.</summary>
    public bool? ServeSamples { get; set; }
}

public static class WidgetExtensions
{
    /// <summary>Options, and the widget files minified and compressed now rather than on the first request.</summary>
    public static IHostApplicationBuilder AddWidget(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WidgetOptions>().BindConfiguration(WidgetOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(WidgetAssets.Current);
        return builder;
    }
}

/// <summary>
/// <c>/widget/v1/pulse.js</c> (short cache + ETag, so a new version reaches every page within
/// minutes), <c>/widget/v1/pulse.{fingerprint}.js</c> (immutable, for pinned embeds) and the
/// manifest naming the current fingerprint; in Development also the plain-HTML sample at <c>/</c>.
/// </summary>
public static class WidgetEndpoints
{
    const string Immutable = "public, max-age=31536000, immutable";

    public static IEndpointRouteBuilder MapWidget(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/widget/v1").WithTags("Widget").Public("the widget script, loaded by every page of the vendor's product");
        group.MapMethods("/pulse.js", ["GET", "HEAD"], Script)
            .WithName("WidgetScript").WithSummary("The widget script; cached briefly, revalidated by ETag.");
        group.MapMethods("/pulse.{fingerprint}.js", ["GET", "HEAD"], PinnedScript)
            .WithName("WidgetScriptPinned").WithSummary("The widget script at an immutable, fingerprinted URL.");
        group.MapMethods("/reasons.js", ["GET", "HEAD"], ReasonsChunk)
            .WithName("WidgetReasonsChunk").WithSummary("The widget's reasons step, loaded only when a survey asks the reasons question; cached like the script.");
        group.MapGet("/manifest.json", Manifest)
            .WithName("WidgetManifest").WithSummary("The current script's fingerprinted URL, integrity and sizes.");

        var options = app.ServiceProvider.GetRequiredService<IOptions<WidgetOptions>>().Value;
        if (options.ServeSamples ?? app.ServiceProvider.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            var page = WidgetAssets.ResourceBytes("Pulse.Samples.index.html");
            app.MapGet("/", () => TypedResults.Bytes(page, "text/html; charset=utf-8"))
                .WithName("SamplePage").WithSummary("The plain-HTML sample page (Development only).").ExcludeFromDescription()
                .Public("a static sample page");
        }
        return app;
    }

    static Results<FileContentHttpResult, StatusCodeHttpResult, NotFound> Script(HttpContext context, WidgetAssets assets, IOptions<WidgetOptions> options) =>
        Serve(context, assets.Script, $"public, max-age={options.Value.MaxAgeSeconds}");

    static Results<FileContentHttpResult, StatusCodeHttpResult, NotFound> ReasonsChunk(HttpContext context, WidgetAssets assets, IOptions<WidgetOptions> options) =>
        Serve(context, assets.Reasons, $"public, max-age={options.Value.MaxAgeSeconds}");

    static Results<FileContentHttpResult, StatusCodeHttpResult, NotFound> PinnedScript(string fingerprint, HttpContext context, WidgetAssets assets)
    {
        // Only the current version is held; an old fingerprint is gone (use the stable URL to follow updates).
        if (!string.Equals(fingerprint, assets.Script.Fingerprint, StringComparison.Ordinal))
            return TypedResults.NotFound();
        return Serve(context, assets.Script, Immutable);
    }

    static Ok<WidgetManifest> Manifest(HttpContext context, WidgetAssets assets, IOptions<WidgetOptions> options)
    {
        context.Response.Headers.CacheControl = $"public, max-age={options.Value.MaxAgeSeconds}";
        context.Response.Headers.AccessControlAllowOrigin = "*";
        var script = assets.Script;
        return TypedResults.Ok(new WidgetManifest("/widget/v1/pulse.js", assets.FingerprintedPath, script.Fingerprint, script.Integrity,
            script.Bytes.Length, script.Gzip.Length, script.Brotli.Length));
    }

    static Results<FileContentHttpResult, StatusCodeHttpResult, NotFound> Serve(HttpContext context, ServedFile file, string cacheControl)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = cacheControl;
        headers.ETag = file.ETag;
        headers.Vary = "Accept-Encoding";
        // Any page may load the script, also with crossorigin/integrity attributes and under COEP.
        headers.AccessControlAllowOrigin = "*";
        headers["Cross-Origin-Resource-Policy"] = "cross-origin";
        headers.XContentTypeOptions = "nosniff";
        if (Matches(context.Request.Headers.IfNoneMatch, file.ETag))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        var (bytes, encoding) = Negotiate(context.Request, file);
        if (encoding is not null)
            headers.ContentEncoding = encoding;
        return TypedResults.Bytes(bytes, file.ContentType);
    }

    /// <summary>If-None-Match uses the weak comparison: <c>W/"x"</c> matches <c>"x"</c>; <c>*</c> matches anything.</summary>
    static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        if (ifNoneMatch.Count == 0 || !EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
            return false;
        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Tag.Equals(etag, StringComparison.Ordinal));
    }

    /// <summary>Brotli when the client takes it, else gzip, else the plain bytes; <c>q=0</c> refuses a coding.</summary>
    static (byte[] Bytes, string? Encoding) Negotiate(HttpRequest request, ServedFile file)
    {
        var accepted = request.GetTypedHeaders().AcceptEncoding;
        bool Takes(string coding) => accepted.Any(a =>
            (a.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) || a.Value.Equals("*", StringComparison.Ordinal))
            && (a.Quality ?? 1) > 0)
            && !accepted.Any(a => a.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) && a.Quality == 0);
        if (Takes("br"))
            return (file.Brotli, "br");
        if (Takes("gzip"))
            return (file.Gzip, "gzip");
        return (file.Bytes, null);
    }
}

/// <summary>What a vendor needs to pin the current widget: its immutable URL, SRI integrity and sizes.</summary>
public sealed record WidgetManifest(string Script, string PinnedScript, string Fingerprint, string Integrity, int Bytes, int GzipBytes, int BrotliBytes);
