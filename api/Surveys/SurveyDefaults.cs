using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Surveys;

/// <summary>The survey every new workspace starts with, so pasting the snippet is enough.</summary>
public static class SurveyDefaults
{
    public const string Name = "Relationship NPS";
    public const string Color = "#4f46e5";
    public const string Position = "bottom-right";

    const string Insert = """
        INSERT INTO surveys (id, workspace_id, name, kind, active, priority, trigger, theme, created_at, updated_at)
        VALUES (@Id, @WorkspaceId, @Name, 'nps', 1, 0, NULL, @Theme, @Now, @Now)
        """;

    /// <summary>Inserts an active relationship NPS on page views with the rule defaults of the table's columns.</summary>
    public static string InsertRelationshipSurvey(SqliteConnection c, SqliteTransaction tx, string workspaceId, long now)
    {
        var id = Keys.NewId("srv");
        c.Execute(Insert, new
        {
            Id = id,
            WorkspaceId = workspaceId,
            Name,
            Theme = $$"""{"color":"{{Color}}","position":"{{Position}}"}""",
            Now = now,
        }, tx);
        return id;
    }
}
