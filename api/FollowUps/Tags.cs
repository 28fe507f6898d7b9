using System.Data.Common;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Data.Sqlite;
using Pulse.Api.Access;
using Pulse.Api.Analytics;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Team;
using Pulse.Api.Workspaces;

namespace Pulse.Api.FollowUps;

/// <summary>A tag of the workspace's list and how many responses carry it.</summary>
public sealed record TagItem(string Name, long Responses);

public sealed record TagList(IReadOnlyList<TagItem> Items);

/// <summary><c>POST /v1/tags</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TagPost(string? Name);

/// <summary><c>POST /v1/responses/tags</c>: add and remove tags on a selection of responses.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TagChange(IReadOnlyList<long>? ResponseIds, IReadOnlyList<string>? Add, IReadOnlyList<string>? Remove);

/// <summary>A response's tags after a change.</summary>
public sealed record ResponseTags(long ResponseId, IReadOnlyList<string> Tags);

public sealed record TagChangeResult(IReadOnlyList<ResponseTags> Items);

/// <summary>The limits of tags and selections. Pure.</summary>
public static class TagRules
{
    public const int MaxPerWorkspace = 200;
    public const int MaxResponsesPerChange = 500;
    public const int MaxTagsPerChange = 20;

    /// <summary>Why <paramref name="name"/> (trimmed) is not a tag name, or null (<see cref="TagSql.NameError"/>).</summary>
    public static string? Error(string? name) => TagSql.NameError(name);
}

/// <summary>SQL for <c>tags</c> and <c>response_tags</c>. Writes take the caller's transaction.</summary>
public static class TagStore
{
    const string SelectList = """
        SELECT t.name AS Name, (SELECT COUNT(*) FROM response_tags rt WHERE rt.workspace_id = t.workspace_id AND rt.tag = t.name) AS Responses
        FROM tags t WHERE t.workspace_id = @WorkspaceId ORDER BY t.name
        """;
    const string SelectName = "SELECT name FROM tags WHERE workspace_id = @WorkspaceId AND name = @Name";
    const string Count = "SELECT COUNT(*) FROM tags WHERE workspace_id = @WorkspaceId";
    const string Insert = "INSERT INTO tags (workspace_id, name, created_at) VALUES (@WorkspaceId, @Name, @Now)";
    const string Delete = "DELETE FROM tags WHERE workspace_id = @WorkspaceId AND name = @Name";
    const string SelectResponses = "SELECT id FROM responses WHERE workspace_id = @WorkspaceId AND id IN (SELECT CAST(value AS BIGINT) FROM json_each(@Ids))";
    const string Tag = """
        INSERT INTO response_tags (response_id, workspace_id, tag, created_at) VALUES (@ResponseId, @WorkspaceId, @Tag, @Now)
        ON CONFLICT DO NOTHING
        """;
    const string Untag = "DELETE FROM response_tags WHERE response_id = @ResponseId AND tag = @Tag";
    const string SelectTagsOf = """
        SELECT response_id AS ResponseId, tag AS Tag FROM response_tags
        WHERE response_id IN (SELECT CAST(value AS BIGINT) FROM json_each(@Ids)) ORDER BY response_id, tag
        """;

    public static IReadOnlyList<TagItem> List(DbConnection c, DbTransaction? tx, string workspaceId) =>
        c.Query<TagRow>(SelectList, new { WorkspaceId = workspaceId }, tx).Select(r => new TagItem(r.Name, r.Responses)).ToList();

    /// <summary>The stored spelling of a tag of the workspace, or null.</summary>
    public static string? Find(DbConnection c, DbTransaction? tx, string workspaceId, string name) =>
        c.QuerySingleOrDefault<string>(SelectName, new { WorkspaceId = workspaceId, Name = name }, tx);

    public static long Total(DbConnection c, DbTransaction tx, string workspaceId) => c.ExecuteScalar<long>(Count, new { WorkspaceId = workspaceId }, tx);

    public static void Create(DbConnection c, DbTransaction tx, string workspaceId, string name, long now) =>
        c.Execute(Insert, new { WorkspaceId = workspaceId, Name = name, Now = now }, tx);

    /// <summary>Removes the tag from the list and from every response; false when there was none.</summary>
    public static bool Remove(DbConnection c, DbTransaction tx, string workspaceId, string name) =>
        c.Execute(Delete, new { WorkspaceId = workspaceId, Name = name }, tx) == 1;

    /// <summary>The ids among <paramref name="ids"/> that are responses of the workspace.</summary>
    public static HashSet<long> Existing(DbConnection c, DbTransaction tx, string workspaceId, IEnumerable<long> ids) =>
        [.. c.Query<long>(SelectResponses, new { WorkspaceId = workspaceId, Ids = JsonSerializer.Serialize(ids) }, tx)];

    public static void Apply(DbConnection c, DbTransaction tx, string workspaceId, long responseId, IEnumerable<string> add, IEnumerable<string> remove, long now)
    {
        foreach (var tag in add)
            c.Execute(Tag, new { ResponseId = responseId, WorkspaceId = workspaceId, Tag = tag, Now = now }, tx);
        foreach (var tag in remove)
            c.Execute(Untag, new { ResponseId = responseId, Tag = tag }, tx);
    }

    public static IReadOnlyList<ResponseTags> Of(DbConnection c, DbTransaction tx, IReadOnlyList<long> ids)
    {
        var rows = c.Query<TagOf>(SelectTagsOf, new { Ids = JsonSerializer.Serialize(ids) }, tx).ToLookup(r => r.ResponseId, r => r.Tag);
        return ids.Select(id => new ResponseTags(id, rows[id].ToList())).ToList();
    }

    // A class, not the record: SQLite gives a computed column no declared type, so Dapper cannot pick a constructor for it.
    sealed class TagOf
    {
        public long ResponseId { get; set; }
        public string Tag { get; set; } = "";
    }

    sealed class TagRow
    {
        public string Name { get; set; } = "";
        public long Responses { get; set; }
    }

}

/// <summary>
/// <c>/v1/tags</c> (the workspace's tag list) and <c>POST /v1/responses/tags</c> (add and remove tags
/// on a selection of responses). Reading needs <c>responses:read</c>, changing <c>tags:manage</c>.
/// </summary>
public static class TagEndpoints
{
    public static IEndpointRouteBuilder MapTags(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Tags").DisableValidation();
        group.MapGet("/tags", List).WithName("ListTags").RequirePermission(Permissions.ReadResponses)
            .WithSummary("The workspace's tags, by name, with how many responses carry each.");
        group.MapPost("/tags", Create).WithName("CreateTag").RequirePermission(Permissions.ManageTags).WithBodyLimit(4 * 1024)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Adds a tag to the workspace's list (tags are also added when first put on a response).");
        group.MapDelete("/tags/{name}", Delete).WithName("DeleteTag").RequirePermission(Permissions.ManageTags)
            .WithSummary("Removes a tag from the list and from every response.");
        group.MapPost("/responses/tags", Change).WithName("TagResponses").RequirePermission(Permissions.ManageTags).WithBodyLimit(64 * 1024)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Adds and removes tags on up to 500 responses at once; answers each response's tags.");
        return app;
    }

    static Ok<TagList> List(ClaimsPrincipal user, Db db)
    {
        using var c = db.Open();
        return TypedResults.Ok(new TagList(TagStore.List(c, null, user.WorkspaceId())));
    }

    static async Task<Results<Created<TagItem>, ValidationProblem, ProblemHttpResult>> Create(
        TagPost? body, HttpContext http, ClaimsPrincipal user, WriteQueue writer, TimeProvider time)
    {
        if (body is null)
            return Problems.BadRequest("Send a JSON object as the body: { \"name\": \"pricing\" }.");
        if (TagRules.Error(body.Name) is { } error)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [error] });
        var name = body.Name!.Trim();
        var workspaceId = user.WorkspaceId();
        var actor = Actor.Of(http);
        var outcome = await writer.ExecuteAsync((c, tx) =>
        {
            if (TagStore.Find(c, tx, workspaceId, name) is not null)
                return StatusCodes.Status409Conflict;
            if (TagStore.Total(c, tx, workspaceId) >= TagRules.MaxPerWorkspace)
                return StatusCodes.Status507InsufficientStorage;
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            TagStore.Create(c, tx, workspaceId, name, now);
            Audit.Write(c, tx, actor, workspaceId, "tag.created", name, now, after: new { name });
            return StatusCodes.Status201Created;
        });
        return outcome switch
        {
            StatusCodes.Status409Conflict => Problems.Of(StatusCodes.Status409Conflict, $"The workspace already has the tag '{name}' (tags ignore case)."),
            StatusCodes.Status507InsufficientStorage => TooMany(),
            _ => TypedResults.Created($"/v1/tags/{Uri.EscapeDataString(name)}", new TagItem(name, 0)),
        };
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, HttpContext http, ClaimsPrincipal user, WriteQueue writer, TimeProvider time)
    {
        var workspaceId = user.WorkspaceId();
        var actor = Actor.Of(http);
        var removed = await writer.ExecuteAsync((c, tx) =>
        {
            if (!TagStore.Remove(c, tx, workspaceId, name))
                return false;
            Audit.Write(c, tx, actor, workspaceId, "tag.deleted", name, time.GetUtcNow().ToUnixTimeMilliseconds(), before: new { name });
            return true;
        });
        return removed ? TypedResults.NoContent()
            : Problems.NotFound($"The workspace has no tag '{FreeText.Printable(name)}'; list them with GET /v1/tags.");
    }

    static async Task<Results<Ok<TagChangeResult>, ValidationProblem, ProblemHttpResult>> Change(
        TagChange? body, HttpContext http, ClaimsPrincipal user, WriteQueue writer, TimeProvider time)
    {
        if (body is null)
            return Problems.BadRequest("Send a JSON object as the body: { \"responseIds\": [1, 2], \"add\": [\"pricing\"], \"remove\": [] }.");
        var errors = new Dictionary<string, string[]>();
        var ids = (body.ResponseIds ?? []).Distinct().ToList();
        if (ids.Count is 0 or > TagRules.MaxResponsesPerChange)
            errors["responseIds"] = [$"List 1 to {TagRules.MaxResponsesPerChange} response ids."];
        var add = Names(body.Add, "add", errors);
        var remove = Names(body.Remove, "remove", errors);
        if (add.Count + remove.Count == 0 && !errors.ContainsKey("add") && !errors.ContainsKey("remove"))
            errors["add"] = ["Give tags to add, to remove, or both."];
        if (add.Intersect(remove, StringComparer.OrdinalIgnoreCase).Any())
            errors["remove"] = ["A tag cannot be added and removed at once."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var workspaceId = user.WorkspaceId();
        var actor = Actor.Of(http);
        var (status, missing, items) = await writer.ExecuteAsync<(int, IReadOnlyList<long>, IReadOnlyList<ResponseTags>)>((c, tx) =>
        {
            var found = TagStore.Existing(c, tx, workspaceId, ids);
            if (found.Count < ids.Count)
                return (StatusCodes.Status404NotFound, ids.Where(id => !found.Contains(id)).ToList(), []);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            // Tags put on a response for the first time join the list, in their first spelling.
            var spelled = new List<string>();
            foreach (var tag in add)
            {
                if (TagStore.Find(c, tx, workspaceId, tag) is { } known)
                {
                    spelled.Add(known);
                    continue;
                }
                if (TagStore.Total(c, tx, workspaceId) >= TagRules.MaxPerWorkspace)
                    return (StatusCodes.Status409Conflict, [], []);
                TagStore.Create(c, tx, workspaceId, tag, now);
                spelled.Add(tag);
            }
            foreach (var id in ids)
                TagStore.Apply(c, tx, workspaceId, id, spelled, remove, now);
            Audit.Write(c, tx, actor, workspaceId, "response.tags_changed", null, now, after: new { responseIds = ids, add = spelled, remove });
            return (StatusCodes.Status200OK, [], TagStore.Of(c, tx, ids));
        });
        return status switch
        {
            StatusCodes.Status404NotFound => Problems.NotFound(
                $"No response {string.Join(", ", missing.Take(10))} in this workspace; nothing was changed. Take ids from GET /v1/responses."),
            StatusCodes.Status409Conflict => TooMany(),
            _ => TypedResults.Ok(new TagChangeResult(items)),
        };
    }

    static List<string> Names(IReadOnlyList<string>? names, string field, Dictionary<string, string[]> errors)
    {
        var list = names ?? [];
        if (list.Count > TagRules.MaxTagsPerChange)
            errors[field] = [$"At most {TagRules.MaxTagsPerChange} tags at once."];
        else if (list.Select(TagRules.Error).FirstOrDefault(e => e is not null) is { } error)
            errors[field] = [error];
        return list.Where(n => TagRules.Error(n) is null).Select(n => n.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    static ProblemHttpResult TooMany() => Problems.Of(StatusCodes.Status409Conflict,
        $"The workspace has {TagRules.MaxPerWorkspace} tags, the most it keeps; delete one it no longer uses (DELETE /v1/tags/{{name}}).");
}
