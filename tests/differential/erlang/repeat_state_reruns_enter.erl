%% Pins: repeat_state and repeat_state_and_data rerun the enter call with
%% the same state as the old state, keep_state and next_state to the same
%% state do not, and actions given with a repeat still run.
-module(repeat_state_reruns_enter).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3]).

script() ->
    {[{100, {cast, rep}}, {200, {cast, rep_data}}, {300, {cast, keep}},
      {400, {cast, same}}, {500, {cast, rep_act}}],
     700}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, 0}.

callback_mode() -> [state_functions, state_enter].

a(Type, Content, Data) ->
    diff_harness:trace([a, Type, Content, Data]),
    case {Type, Content} of
        {enter, _} -> {keep_state, Data + 1};
        {cast, rep} -> repeat_state_and_data;
        {cast, rep_data} -> {repeat_state, Data + 10};
        {cast, keep} -> {keep_state, Data + 100};
        {cast, same} -> {next_state, a, Data + 1000};
        {cast, rep_act} -> {repeat_state_and_data, [{state_timeout, 50, st}]};
        _ -> keep_state_and_data
    end.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
