using System.Collections.Concurrent;

namespace Pulse.Api.Surveys;

/// <summary>
/// The kind of each survey by id, read once and kept: a survey's kind is fixed at creation
/// (docs/decisions.md, K2) and ids are never reused, so the answer path reads no survey row per answer.
/// </summary>
public sealed class SurveyKinds(SurveyStore store)
{
    readonly ConcurrentDictionary<string, QuestionKind> _kinds = new(StringComparer.Ordinal);

    /// <summary>The kind of a survey (deleted or not); NPS for an id no row has.</summary>
    public QuestionKind Of(string surveyId)
    {
        if (_kinds.TryGetValue(surveyId, out var kind))
            return kind;
        if (store.Kind(surveyId) is not { } name)
            return QuestionKinds.Nps;
        return _kinds[surveyId] = QuestionKinds.Of(name);
    }
}
