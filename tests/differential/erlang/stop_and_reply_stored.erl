%% Pins: stop_and_reply sends its replies in list order, to stored Froms
%% and the current caller, before terminate runs with the new data; a
%% call left unanswered gets no reply.
-module(stop_and_reply_stored).
-behaviour(gen_statem).
-export([script/0, init/1, callback_mode/0, terminate/3]).
-export([a/3]).

script() ->
    {[{100, {call, c1, hold}}, {200, {call, c2, hold}},
      {250, {call, c3, hold}}, {300, {call, c4, quit}}],
     400}.

init(Args) ->
    diff_harness:attach(Args),
    {ok, a, []}.

callback_mode() -> state_functions.

a({call, From}, hold, Data) ->
    diff_harness:trace([a, {call, From}, hold, Data]),
    {keep_state, [From | Data]};
a({call, From}, quit, [_F3, F2, F1] = Data) ->
    diff_harness:trace([a, {call, From}, quit, Data]),
    {stop_and_reply, normal,
     [{reply, F1, first}, {reply, From, bye}, {reply, F2, second}],
     [last]}.

terminate(Reason, State, Data) ->
    diff_harness:trace([terminate, Reason, State, Data]).
