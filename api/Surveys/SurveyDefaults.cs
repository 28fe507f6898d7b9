using System.Data.Common;
using Microsoft.Data.Sqlite;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Surveys;

/// <summary>
/// The settings of a new survey — the one source of them: <c>POST /v1/surveys</c> applies its input
/// on top of <see cref="New"/>, and every new workspace starts with <see cref="Relationship"/>, so
/// pasting the snippet is enough. Every insert names every column (<see cref="SurveyStore.Create"/>);
/// the table's column defaults match these values (checked by a test) for rows written by hand.
/// </summary>
public static class SurveyDefaults
{
    public const string Name = "Relationship NPS";
    public const string Color = "#4f46e5";
    public const string Position = "bottom-right";

    /// <summary>A new survey of <paramref name="workspaceId"/> with every default and no name.</summary>
    public static Survey New(string workspaceId, long now) => new(
        Keys.NewId("srv"), workspaceId, "", "nps", Active: true, Priority: 0, Trigger: null,
        FirstSurveyDelayDays: 30, ResurveyDays: 90, DeclineCooldownDays: 30, ReshowAfterIgnoredDays: 1,
        SamplePercent: 100, DailyCap: null, Targeting: [], ExcludeEmailDomains: [],
        Texts: new Dictionary<string, TextOverrides>(), new SurveyTheme(Color, Position), now, now);

    /// <summary>The survey a new workspace starts with: an active relationship NPS on page views.</summary>
    public static Survey Relationship(string workspaceId, long now) => New(workspaceId, now) with { Name = Name };
}

/// <summary>Gives every new workspace its first survey, in the transaction that creates the workspace.</summary>
public sealed class FirstSurvey : IWorkspaceHook
{
    public static readonly FirstSurvey Hook = new();

    public void WorkspaceCreated(DbConnection c, DbTransaction tx, WorkspaceCreated created) =>
        SurveyStore.Create(c, tx, SurveyDefaults.Relationship(created.WorkspaceId, created.At));
}
