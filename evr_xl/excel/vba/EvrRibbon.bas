Attribute VB_Name = "EvrRibbon"
' EVR-XL ribbon callbacks (the "Value Realization" tab).
'
' Every ribbon button calls EvrButton; its control id is the Python action name
' (check, refresh, boardpack, rollforward, help), which evr_xl.excel.actions.run_action
' carries out on the active workbook. The Evr* macros run the same actions without the
' ribbon (Alt+F8, the Quick Access Toolbar, or a button on a sheet).
' Generated from evr_xl/excel/vba/EvrRibbon.bas: edit that file, then rebuild the add-in.
Option Explicit

Sub EvrButton(control As IRibbonControl)
    RunEvrAction control.Id
End Sub

Sub EvrCheck()
    RunEvrAction "check"
End Sub

Sub EvrRefresh()
    RunEvrAction "refresh"
End Sub

Sub EvrRollForward()
    RunEvrAction "rollforward"
End Sub

Sub EvrBoardPack()
    RunEvrAction "boardpack"
End Sub

Sub EvrHelp()
    RunEvrAction "help"
End Sub

Private Sub RunEvrAction(action As String)
    RunPython "import evr_xl.excel.actions as a; a.run_action('" & action & "')"
End Sub
